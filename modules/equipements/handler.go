package equipements

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/audit"
	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/httpx"
)

// listSort lists the list's sort keys and their indexed columns.
var listSort = httpx.Sort{
	Keys: []string{"nom", "numero_serie", "categorie", "date_creation", "date_mise_en_service"},
	Columns: map[string]string{
		"nom":                  "nom",
		"numero_serie":         "numero_serie",
		"categorie":            "categorie",
		"date_creation":        "date_creation",
		"date_mise_en_service": "date_mise_en_service",
	},
	Default:  "nom ASC, id ASC",
	TieBreak: "id",
}

func scopeOf(ctx context.Context) int64 { return auth.FromContext(ctx).ClientScope() }

func (m *Module) list(w http.ResponseWriter, req bunrouter.Request) error {
	lq, err := parseList(req.URL.Query())
	if err != nil {
		return err
	}
	lq.scope = scopeOf(req.Context())
	rows, total, err := listEquipements(req.Context(), m.db, lq)
	if err != nil {
		return err
	}
	out := make([]EquipementOut, len(rows))
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
	lq := listQuery{page: page, q: strings.TrimSpace(query.Get("q")),
		categorie: strings.TrimSpace(query.Get("categorie"))}
	var bad []httpx.FieldError
	if s := query.Get("client_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			bad = append(bad, httpx.QueryField("client_id", "int_parsing",
				"entier positif attendu"))
		}
		lq.clientID = n
	}
	var fe *httpx.FieldError
	if lq.statuts, fe = enumList(query.Get("statut"), "statut", statuts); fe != nil {
		bad = append(bad, *fe)
	}
	if lq.criticites, fe = enumList(query.Get("criticite"), "criticite", criticites); fe != nil {
		bad = append(bad, *fe)
	}
	if lq.order, fe = listSort.Parse(query.Get("sort")); fe != nil {
		bad = append(bad, *fe)
	}
	if len(bad) > 0 {
		return listQuery{}, httpx.Invalid(bad...)
	}
	return lq, nil
}

// enumList reads a comma-separated list of enum values.
func enumList[T ~string](s, name string, allowed []T) ([]string, *httpx.FieldError) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for v := range strings.SplitSeq(s, ",") {
		v = strings.TrimSpace(v)
		if !slices.Contains(allowed, T(v)) {
			fe := httpx.QueryField(name, "enum", "valeur « "+v+" » inconnue ; valeurs "+
				"possibles : "+joinValues(allowed))
			return nil, &fe
		}
		out = append(out, v)
	}
	return out, nil
}

func (m *Module) get(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	e, err := getEquipement(req.Context(), m.db, id, scopeOf(req.Context()))
	if err != nil {
		return err
	}
	httpx.SetETag(w, e.Version)
	return httpx.WriteJSON(w, http.StatusOK, e.out())
}

func (m *Module) historique(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	page, err := httpx.ParsePage(req.URL.Query())
	if err != nil {
		return err
	}
	ctx := req.Context()
	if _, err := getEquipement(ctx, m.db, id, scopeOf(ctx)); err != nil {
		return err
	}
	rows, total, err := listHistorique(ctx, m.db, id, page)
	if err != nil {
		return err
	}
	out := make([]EquipementHistoriqueOut, len(rows))
	for i := range rows {
		out[i] = rows[i].out()
	}
	httpx.SetPageHeaders(w, req.Request, page, total)
	return httpx.WriteJSON(w, http.StatusOK, out)
}

func (m *Module) create(w http.ResponseWriter, req bunrouter.Request) error {
	var in EquipementCreate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	e, err := newEquipement(&in)
	if err != nil {
		return err
	}
	ctx := req.Context()
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return m.insert(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", httpx.BasePath+"/equipements/"+strconv.FormatInt(e.ID, 10))
	httpx.SetETag(w, e.Version)
	return httpx.WriteJSON(w, http.StatusCreated, e.out())
}

// newEquipement validates a creation and builds the row to insert.
func newEquipement(in *EquipementCreate) (*equipement, error) {
	trimAll(&in.Nom, &in.NumeroSerie, in.Categorie, in.Marque, in.Modele, in.Localisation,
		in.DateMiseEnService)
	var c checker
	if in.ClientID < 1 {
		c.add("client_id", "missing", "identifiant de client obligatoire")
	}
	c.text("nom", in.Nom, 2, 255)
	c.text("numero_serie", in.NumeroSerie, 1, 100)
	checkOptional(&c, in.Categorie, in.Marque, in.Modele, in.Localisation)
	date := c.date("date_mise_en_service", in.DateMiseEnService)
	c.criticite(in.Criticite)
	c.statut(in.Statut)
	if err := c.err(); err != nil {
		return nil, err
	}
	t := now()
	e := &equipement{
		ClientID: in.ClientID, Nom: in.Nom, NumeroSerie: in.NumeroSerie,
		Categorie: nullIfEmpty(in.Categorie), Marque: nullIfEmpty(in.Marque),
		Modele: nullIfEmpty(in.Modele), Localisation: nullIfEmpty(in.Localisation),
		DateMiseEnService: date, Criticite: string(Moyenne), Statut: string(EnService),
		DateCreation: t, DateModification: t, Version: 1,
	}
	if in.Criticite != nil {
		e.Criticite = string(*in.Criticite)
	}
	if in.Statut != nil {
		e.Statut = string(*in.Statut)
	}
	return e, nil
}

func checkOptional(c *checker, categorie, marque, modele, localisation *string) {
	c.optText("categorie", categorie, 100)
	c.optText("marque", marque, 100)
	c.optText("modele", modele, 100)
	c.optText("localisation", localisation, 255)
}

// insert runs inside the creation's transaction: check the client, insert,
// record the initial status in the history, audit.
func (m *Module) insert(ctx context.Context, tx bun.IDB, e *equipement) error {
	scope := scopeOf(ctx)
	ok, err := m.clients.Exists(ctx, tx, e.ClientID)
	if err != nil {
		return err
	}
	if !ok || (scope != 0 && scope != e.ClientID) {
		return httpx.Invalid(httpx.Field("client_id", "value_error", "client introuvable"))
	}
	if err := insertEquipement(ctx, tx, e); err != nil {
		return conflictOnSerial(err, e.NumeroSerie)
	}
	ch := statusChange{to: StatutEquipement(e.Statut), userID: auth.FromContext(ctx).UserID}
	if err := ch.record(ctx, tx, e.ID); err != nil {
		return err
	}
	return record(ctx, tx, "equipement.create", e.ID, nil, e.out())
}

func (m *Module) update(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	var in EquipementUpdate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	date, err := checkUpdate(&in)
	if err != nil {
		return err
	}
	var e *equipement
	ctx := req.Context()
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var txErr error
		e, txErr = applyUpdate(ctx, tx, req.Request, id, in, date)
		return txErr
	})
	if err != nil {
		return err
	}
	httpx.SetETag(w, e.Version)
	return httpx.WriteJSON(w, http.StatusOK, e.out())
}

// checkUpdate trims and validates the fields present in a partial update and
// returns the parsed date_mise_en_service, nil when absent or cleared.
func checkUpdate(in *EquipementUpdate) (*time.Time, error) {
	trimAll(in.Nom, in.NumeroSerie, in.Categorie, in.Marque, in.Modele, in.Localisation,
		in.DateMiseEnService, in.Motif)
	var c checker
	if in.Nom != nil {
		c.text("nom", *in.Nom, 2, 255)
	}
	if in.NumeroSerie != nil {
		c.text("numero_serie", *in.NumeroSerie, 1, 100)
	}
	checkOptional(&c, in.Categorie, in.Marque, in.Modele, in.Localisation)
	date := c.date("date_mise_en_service", in.DateMiseEnService)
	c.criticite(in.Criticite)
	c.statut(in.Statut)
	c.optText("motif", in.Motif, 500)
	if in.Motif != nil && *in.Motif != "" && in.Statut == nil {
		c.add("motif", "value_error", "un motif accompagne un changement de statut")
	}
	return date, c.err()
}

// applyUpdate runs inside the update's transaction: read, check If-Match,
// change, write with the version guard, record a status change, audit.
func applyUpdate(ctx context.Context, tx bun.IDB, r *http.Request, id int64,
	in EquipementUpdate, date *time.Time) (*equipement, error) {
	e, err := getEquipement(ctx, tx, id, scopeOf(ctx))
	if err != nil {
		return nil, err
	}
	if err := httpx.CheckIfMatch(r, e.Version); err != nil {
		return nil, err
	}
	before, prev := e.out(), e.Version
	merge(e, in, date)
	e.Version++
	e.DateModification = now()
	ok, err := updateEquipement(ctx, tx, e, prev)
	if err != nil {
		return nil, conflictOnSerial(err, e.NumeroSerie)
	}
	if !ok {
		return nil, httpx.PreconditionFailed(prev + 1)
	}
	if e.Statut != string(before.Statut) {
		ch := statusChange{from: before.Statut, to: StatutEquipement(e.Statut),
			userID: auth.FromContext(ctx).UserID}
		if in.Motif != nil {
			ch.motif = *in.Motif
		}
		if err := ch.record(ctx, tx, e.ID); err != nil {
			return nil, err
		}
	}
	return e, record(ctx, tx, "equipement.update", e.ID, before, e.out())
}

// merge applies the present fields of in to e.
func merge(e *equipement, in EquipementUpdate, date *time.Time) {
	if in.Nom != nil {
		e.Nom = *in.Nom
	}
	if in.NumeroSerie != nil {
		e.NumeroSerie = *in.NumeroSerie
	}
	for _, f := range []struct {
		dst **string
		src *string
	}{
		{&e.Categorie, in.Categorie}, {&e.Marque, in.Marque}, {&e.Modele, in.Modele},
		{&e.Localisation, in.Localisation},
	} {
		if f.src != nil {
			*f.dst = nullIfEmpty(f.src)
		}
	}
	if in.DateMiseEnService != nil {
		e.DateMiseEnService = date
	}
	if in.Criticite != nil {
		e.Criticite = string(*in.Criticite)
	}
	if in.Statut != nil {
		e.Statut = string(*in.Statut)
	}
}

func (m *Module) remove(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	ctx := req.Context()
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		e, err := getEquipement(ctx, tx, id, scopeOf(ctx))
		if err != nil {
			return err
		}
		if err := httpx.CheckIfMatch(req.Request, e.Version); err != nil {
			return err
		}
		if err := deleteEquipement(ctx, tx, id); err != nil {
			if db.IsForeignKeyViolation(err) {
				return httpx.Conflict("Des interventions portent sur cet équipement : il " +
					"ne peut pas être supprimé ; passez-le hors service (statut).")
			}
			return err
		}
		return record(ctx, tx, "equipement.delete", id, e.out(), nil)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// conflictOnSerial turns a unique violation on (client_id, numero_serie)
// into a 409.
func conflictOnSerial(err error, serial string) error {
	if db.IsUniqueViolation(err) {
		return httpx.Conflict("Ce client a déjà un équipement de numéro de série « " +
			serial + " ».")
	}
	return err
}

func record(ctx context.Context, tx bun.IDB, action string, id int64, before, after any) error {
	return audit.Record(ctx, tx, audit.Change{Action: action, Resource: "equipement",
		ResourceID: strconv.FormatInt(id, 10), Before: before, After: after})
}
