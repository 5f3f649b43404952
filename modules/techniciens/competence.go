package techniciens

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/audit"
	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/httpx"
)

func (m *Module) listCompetences(w http.ResponseWriter, req bunrouter.Request) error {
	page, err := httpx.ParsePage(req.URL.Query())
	if err != nil {
		return err
	}
	rows, total, err := listCompetences(req.Context(), m.db, page)
	if err != nil {
		return err
	}
	out := make([]CompetenceOut, len(rows))
	for i := range rows {
		out[i] = rows[i].out()
	}
	httpx.SetPageHeaders(w, req.Request, page, total)
	return httpx.WriteJSON(w, http.StatusOK, out)
}

func (m *Module) getCompetence(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	c, err := getCompetence(req.Context(), m.db, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c.out())
}

func (m *Module) createCompetence(w http.ResponseWriter, req bunrouter.Request) error {
	var in CompetenceCreate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	trimAll(&in.Code, &in.Libelle)
	var ck checker
	ck.text("code", in.Code, 2, 50)
	if in.Code != "" && !codeRE.MatchString(in.Code) {
		ck.add("code", "string_pattern_mismatch",
			"minuscules, chiffres et « _ », commençant par une lettre ou un chiffre")
	}
	ck.text("libelle", in.Libelle, 2, 255)
	if err := ck.err(); err != nil {
		return err
	}
	c := &competence{Code: in.Code, Libelle: in.Libelle}
	err := m.db.RunInTx(req.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(c).Returning("id").Exec(ctx); err != nil {
			if db.IsUniqueViolation(err) {
				return httpx.Conflict("La compétence « " + c.Code + " » existe déjà.")
			}
			return err
		}
		return recordCompetence(ctx, tx, "competence.create", c.ID, nil, c.out())
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location",
		httpx.BasePath+"/techniciens/competences/"+strconv.FormatInt(c.ID, 10))
	return httpx.WriteJSON(w, http.StatusCreated, c.out())
}

// updateCompetence renames a catalogue entry.
//
// Limitation: competences carry no version, so this update and the PUT of a
// technician's list honour no If-Match; the last writer wins.
func (m *Module) updateCompetence(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	var in CompetenceUpdate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	trimAll(&in.Libelle)
	var ck checker
	ck.text("libelle", in.Libelle, 2, 255)
	if err := ck.err(); err != nil {
		return err
	}
	var c *competence
	err = m.db.RunInTx(req.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if c, err = getCompetence(ctx, tx, id); err != nil {
			return err
		}
		before := c.out()
		c.Libelle = in.Libelle
		if _, err := tx.NewUpdate().Model(c).WherePK().Exec(ctx); err != nil {
			return err
		}
		return recordCompetence(ctx, tx, "competence.update", id, before, c.out())
	})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c.out())
}

func (m *Module) deleteCompetence(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	err = m.db.RunInTx(req.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		c, err := getCompetence(ctx, tx, id)
		if err != nil {
			return err
		}
		_, err = tx.NewDelete().Model((*competence)(nil)).Where("id = ?", id).Exec(ctx)
		if db.IsForeignKeyViolation(err) {
			return httpx.Conflict("Des techniciens détiennent la compétence « " + c.Code +
				" » : retirez-la-leur d'abord.")
		}
		if err != nil {
			return err
		}
		return recordCompetence(ctx, tx, "competence.delete", id, c.out(), nil)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) listHeld(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	if _, err := getTechnicien(req.Context(), m.db, id); err != nil {
		return err
	}
	rows, err := heldCompetences(req.Context(), m.db, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, heldOut(rows))
}

func heldOut(rows []heldCompetence) []TechnicienCompetenceOut {
	day := today()
	out := make([]TechnicienCompetenceOut, len(rows))
	for i, r := range rows {
		out[i] = TechnicienCompetenceOut{Competence: r.Code, Libelle: r.Libelle,
			Niveau: r.Niveau}
		if r.DateExpiration != nil {
			d := r.DateExpiration.UTC().Format(dateLayout)
			out[i].DateExpiration = &d
			out[i].Expiree = d < day
		}
	}
	return out
}

// setHeld replaces a technician's whole list of competences.
func (m *Module) setHeld(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	var in TechnicienCompetences
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	dates, err := checkHeld(in.Competences)
	if err != nil {
		return err
	}
	var rows []heldCompetence
	err = m.db.RunInTx(req.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		rows, err = replaceAll(ctx, tx, id, in.Competences, dates)
		return err
	})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, heldOut(rows))
}

// checkHeld validates the list's shape and returns each parsed expiry date.
func checkHeld(list []TechnicienCompetenceIn) ([]*time.Time, error) {
	var ck checker
	if list == nil {
		ck.add("competences", "missing", "liste obligatoire (vide pour tout retirer)")
	}
	dates := make([]*time.Time, len(list))
	seen := map[string]bool{}
	for i := range list {
		in := &list[i]
		in.Competence = strings.TrimSpace(in.Competence)
		loc := func(f string) []string {
			return []string{"body", "competences", strconv.Itoa(i), f}
		}
		if in.Competence == "" {
			ck.at(loc("competence"), "missing", "code de compétence obligatoire")
		} else if seen[in.Competence] {
			ck.at(loc("competence"), "value_error", "compétence en double dans la liste")
		}
		seen[in.Competence] = true
		if in.Niveau < 1 || in.Niveau > 4 {
			ck.at(loc("niveau"), "value_error", "niveau de 1 à 4 attendu")
		}
		if in.DateExpiration != nil && *in.DateExpiration != "" {
			d, err := time.Parse(dateLayout, *in.DateExpiration)
			if err != nil {
				ck.at(loc("date_expiration"), "date_parsing", "date AAAA-MM-JJ attendue")
			}
			dates[i] = &d
		}
	}
	return dates, ck.err()
}

// replaceAll runs inside the transaction of a PUT: check the technician and
// the codes, replace the rows, audit, and read the new list back.
func replaceAll(ctx context.Context, tx bun.IDB, id int64, list []TechnicienCompetenceIn,
	dates []*time.Time) ([]heldCompetence, error) {
	if _, err := getTechnicien(ctx, tx, id); err != nil {
		return nil, err
	}
	codes := make([]string, len(list))
	for i, in := range list {
		codes[i] = in.Competence
	}
	ids, err := competenceIDs(ctx, tx, codes)
	if err != nil {
		return nil, err
	}
	var ck checker
	rows := make([]held, len(list))
	for i, in := range list {
		if ids[in.Competence] == 0 {
			ck.at([]string{"body", "competences", strconv.Itoa(i), "competence"},
				"value_error", "compétence « "+in.Competence+" » absente du catalogue")
		}
		rows[i] = held{TechnicienID: id, CompetenceID: ids[in.Competence], Niveau: in.Niveau,
			DateExpiration: dates[i]}
	}
	if err := ck.err(); err != nil {
		return nil, err
	}
	before, err := heldCompetences(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := replaceHeld(ctx, tx, id, rows); err != nil {
		return nil, err
	}
	after, err := heldCompetences(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return after, record(ctx, tx, "technicien.competences", id, heldOut(before),
		heldOut(after))
}

func recordCompetence(ctx context.Context, tx bun.IDB, action string, id int64,
	before, after any) error {
	return audit.Record(ctx, tx, audit.Change{Action: action, Resource: "competence",
		ResourceID: strconv.FormatInt(id, 10), Before: before, After: after})
}
