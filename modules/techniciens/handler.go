package techniciens

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/audit"
	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/httpx"
)

// listSort lists the list's sort keys and their indexed columns.
var listSort = httpx.Sort{
	Keys: []string{"nom", "prenom", "zone", "date_creation"},
	Columns: map[string]string{
		"nom":           "t.nom",
		"prenom":        "t.prenom",
		"zone":          "t.zone",
		"date_creation": "t.date_creation",
	},
	Default:  "t.nom ASC, t.prenom ASC, t.id ASC",
	TieBreak: "t.id",
}

func (m *Module) list(w http.ResponseWriter, req bunrouter.Request) error {
	lq, err := parseList(req.URL.Query())
	if err != nil {
		return err
	}
	if lq.busyIn != nil {
		if lq.busy, err = m.busyTechniciens(req.Context()); err != nil {
			return err
		}
	}
	rows, total, err := listTechniciens(req.Context(), m.db, lq)
	if err != nil {
		return err
	}
	out := make([]TechnicienOut, len(rows))
	for i := range rows {
		out[i] = rows[i].out()
	}
	httpx.SetPageHeaders(w, req.Request, lq.page, total)
	return httpx.WriteJSON(w, http.StatusOK, out)
}

func parseList(query url.Values) (listQuery, error) {
	page, err := httpx.ParsePage(query)
	if err != nil {
		return listQuery{}, err
	}
	lq := listQuery{page: page, competence: strings.TrimSpace(query.Get("competence")),
		zone: strings.TrimSpace(query.Get("zone")), niveauMin: 1}
	var bad []httpx.FieldError
	if s := query.Get("niveau_min"); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil || n < 1 || n > 4:
			bad = append(bad, httpx.QueryField("niveau_min", "value_error",
				"entier de 1 à 4 attendu"))
		case lq.competence == "":
			bad = append(bad, httpx.QueryField("niveau_min", "value_error",
				"s'emploie avec le filtre competence"))
		}
		lq.niveauMin = n
	}
	var fe *httpx.FieldError
	if lq.actif, fe = httpx.QueryBool(query.Get("actif"), "actif"); fe != nil {
		bad = append(bad, *fe)
	}
	disponible, fe := httpx.QueryBool(query.Get("disponible"), "disponible")
	if fe != nil {
		bad = append(bad, *fe)
	}
	if disponible != nil {
		busyIn := !*disponible
		lq.busyIn = &busyIn
	}
	if lq.order, fe = listSort.Parse(query.Get("sort")); fe != nil {
		bad = append(bad, *fe)
	}
	if len(bad) > 0 {
		return listQuery{}, httpx.Invalid(bad...)
	}
	return lq, nil
}

func (m *Module) get(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	t, err := getTechnicien(req.Context(), m.db, id)
	if err != nil {
		return err
	}
	httpx.SetETag(w, t.Version)
	return httpx.WriteJSON(w, http.StatusOK, t.out())
}

func (m *Module) getMe(w http.ResponseWriter, req bunrouter.Request) error {
	t, err := technicienOfUser(req.Context(), m.db, auth.FromContext(req.Context()).UserID)
	if err != nil {
		return err
	}
	httpx.SetETag(w, t.Version)
	return httpx.WriteJSON(w, http.StatusOK, t.out())
}

func (m *Module) create(w http.ResponseWriter, req bunrouter.Request) error {
	var in TechnicienCreate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	t, err := newTechnicien(&in)
	if err != nil {
		return err
	}
	ctx := req.Context()
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return insertTechnicien(ctx, tx, t)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", httpx.BasePath+"/techniciens/"+strconv.FormatInt(t.ID, 10))
	httpx.SetETag(w, t.Version)
	return httpx.WriteJSON(w, http.StatusCreated, t.out())
}

// newTechnicien validates a creation and builds the row to insert.
func newTechnicien(in *TechnicienCreate) (*technicien, error) {
	trimAll(&in.Nom, &in.Prenom, in.Telephone, in.Zone)
	var c checker
	if in.UserID < 1 {
		c.add("user_id", "missing", "identifiant d'utilisateur obligatoire")
	}
	c.text("nom", in.Nom, 1, 100)
	c.text("prenom", in.Prenom, 1, 100)
	c.contact(in.Telephone, in.Zone)
	if err := c.err(); err != nil {
		return nil, err
	}
	t := now()
	return &technicien{
		UserID: in.UserID, Nom: in.Nom, Prenom: in.Prenom,
		Telephone: nullIfEmpty(in.Telephone), Zone: nullIfEmpty(in.Zone),
		Actif: in.Actif == nil || *in.Actif, DateCreation: t, DateModification: t, Version: 1,
	}, nil
}

// insertTechnicien runs inside the creation's transaction: check the user,
// insert, audit.
func insertTechnicien(ctx context.Context, tx bun.IDB, t *technicien) error {
	role, found, err := userRole(ctx, tx, t.UserID)
	if err != nil {
		return err
	}
	if !found {
		return httpx.Invalid(httpx.Field("user_id", "value_error", "utilisateur introuvable"))
	}
	if role != string(auth.RoleTechnicien) {
		return httpx.Invalid(httpx.Field("user_id", "value_error",
			"l'utilisateur a le rôle « "+role+" », pas « technicien »"))
	}
	if _, err := tx.NewInsert().Model(t).Returning("id").Exec(ctx); err != nil {
		if db.IsUniqueViolation(err) {
			return httpx.Conflict("Cet utilisateur a déjà un profil technicien.")
		}
		return err
	}
	return record(ctx, tx, "technicien.create", t.ID, nil, t.out())
}

func (m *Module) update(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	var in TechnicienUpdate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	trimAll(in.Nom, in.Prenom, in.Telephone, in.Zone)
	var c checker
	if in.Nom != nil {
		c.text("nom", *in.Nom, 1, 100)
	}
	if in.Prenom != nil {
		c.text("prenom", *in.Prenom, 1, 100)
	}
	c.contact(in.Telephone, in.Zone)
	if err := c.err(); err != nil {
		return err
	}
	return m.save(w, req.Request, func(ctx context.Context, tx bun.IDB) (*technicien, error) {
		return getTechnicien(ctx, tx, id)
	}, func(t *technicien) { mergeManager(t, in) })
}

func (m *Module) updateMe(w http.ResponseWriter, req bunrouter.Request) error {
	var in TechnicienContactUpdate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	trimAll(in.Telephone, in.Zone)
	var c checker
	c.contact(in.Telephone, in.Zone)
	if err := c.err(); err != nil {
		return err
	}
	userID := auth.FromContext(req.Context()).UserID
	return m.save(w, req.Request, func(ctx context.Context, tx bun.IDB) (*technicien, error) {
		return technicienOfUser(ctx, tx, userID)
	}, func(t *technicien) { mergeContact(t, in.Telephone, in.Zone) })
}

// save runs a profile update in one transaction: load, check If-Match,
// apply, write with the version guard, audit; then answers the new state.
func (m *Module) save(w http.ResponseWriter, r *http.Request,
	load func(context.Context, bun.IDB) (*technicien, error), apply func(*technicien)) error {
	var t *technicien
	err := m.db.RunInTx(r.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if t, err = load(ctx, tx); err != nil {
			return err
		}
		if err := httpx.CheckIfMatch(r, t.Version); err != nil {
			return err
		}
		before, prev := t.out(), t.Version
		apply(t)
		t.Version++
		t.DateModification = now()
		ok, err := updateTechnicien(ctx, tx, t, prev)
		if err != nil {
			return err
		}
		if !ok {
			return httpx.PreconditionFailed(prev + 1)
		}
		return record(ctx, tx, "technicien.update", t.ID, before, t.out())
	})
	if err != nil {
		return err
	}
	httpx.SetETag(w, t.Version)
	return httpx.WriteJSON(w, http.StatusOK, t.out())
}

func mergeManager(t *technicien, in TechnicienUpdate) {
	if in.Nom != nil {
		t.Nom = *in.Nom
	}
	if in.Prenom != nil {
		t.Prenom = *in.Prenom
	}
	if in.Actif != nil {
		t.Actif = *in.Actif
	}
	mergeContact(t, in.Telephone, in.Zone)
}

func mergeContact(t *technicien, telephone, zone *string) {
	if telephone != nil {
		t.Telephone = nullIfEmpty(telephone)
	}
	if zone != nil {
		t.Zone = nullIfEmpty(zone)
	}
}

func (m *Module) remove(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	err = m.db.RunInTx(req.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		t, err := getTechnicien(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := httpx.CheckIfMatch(req.Request, t.Version); err != nil {
			return err
		}
		_, err = tx.NewDelete().Model((*technicien)(nil)).Where("id = ?", id).Exec(ctx)
		if db.IsForeignKeyViolation(err) {
			return httpx.Conflict("Des interventions sont rattachées à ce technicien : " +
				"désactivez-le plutôt (actif=false).")
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, "technicien.delete", id, t.out(), nil)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func record(ctx context.Context, tx bun.IDB, action string, id int64, before, after any) error {
	return audit.Record(ctx, tx, audit.Change{Action: action, Resource: "technicien",
		ResourceID: strconv.FormatInt(id, 10), Before: before, After: after})
}
