package clients

import (
	"context"
	"fmt"
	"net/http"
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

func (m *Module) list(w http.ResponseWriter, req bunrouter.Request) error {
	lq, err := parseList(req)
	if err != nil {
		return err
	}
	rows, total, err := listClients(req.Context(), m.db, lq)
	if err != nil {
		return err
	}
	out := make([]ClientOut, len(rows))
	for i := range rows {
		out[i] = rows[i].out()
	}
	httpx.SetPageHeaders(w, req.Request, lq.page, total)
	return httpx.WriteJSON(w, http.StatusOK, out)
}

func parseList(req bunrouter.Request) (listQuery, error) {
	query := req.URL.Query()
	page, err := httpx.ParsePage(query)
	if err != nil {
		return listQuery{}, err
	}
	lq := listQuery{q: strings.TrimSpace(query.Get("q")), page: page,
		scope: auth.FromContext(req.Context()).ClientScope()}
	var bad []httpx.FieldError
	actif, fe := httpx.QueryBool(query.Get("actif"), "actif")
	if fe != nil {
		bad = append(bad, *fe)
	}
	lq.actif = actif
	lq.order, fe = listSort.Parse(query.Get("sort"))
	if fe != nil {
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
	scope := auth.FromContext(req.Context()).ClientScope()
	c, err := getClient(req.Context(), m.db, id, scope)
	if err != nil {
		return err
	}
	httpx.SetETag(w, c.Version)
	return httpx.WriteJSON(w, http.StatusOK, c.out())
}

func (m *Module) create(w http.ResponseWriter, req bunrouter.Request) error {
	var in ClientCreate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	c, err := newClient(in)
	if err != nil {
		return err
	}
	ctx := req.Context()
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := insertClient(ctx, tx, c); err != nil {
			return conflictOnCode(err, c.Code)
		}
		return record(ctx, tx, "client.create", c.ID, nil, c.out())
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", httpx.BasePath+"/clients/"+strconv.FormatInt(c.ID, 10))
	httpx.SetETag(w, c.Version)
	return httpx.WriteJSON(w, http.StatusCreated, c.out())
}

// newClient validates a creation and builds the row to insert.
func newClient(in ClientCreate) (*client, error) {
	trim(&in.Nom)
	trim(&in.Code)
	for _, s := range []*string{in.Adresse, in.CodePostal, in.Ville, in.Pays, in.ContactNom,
		in.Telephone, in.Email} {
		trimOpt(s)
	}
	var c checker
	c.text("nom", in.Nom, 2, 255)
	c.code(in.Code)
	checkOptional(&c, in.Adresse, in.CodePostal, in.Ville, in.Pays, in.ContactNom)
	c.phone(in.Telephone)
	c.email(in.Email)
	if err := c.err(); err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	row := &client{
		Nom: in.Nom, Code: strings.ToUpper(in.Code), Adresse: nullIfEmpty(in.Adresse),
		CodePostal: nullIfEmpty(in.CodePostal), Ville: nullIfEmpty(in.Ville),
		Pays: nullIfEmpty(in.Pays), ContactNom: nullIfEmpty(in.ContactNom),
		Telephone: nullIfEmpty(in.Telephone), Email: nullIfEmpty(in.Email),
		Actif: in.Actif == nil || *in.Actif, DateCreation: now, DateModification: now,
		Version: 1,
	}
	return row, nil
}

func checkOptional(c *checker, adresse, codePostal, ville, pays, contact *string) {
	c.optText("adresse", adresse, 500)
	c.optText("code_postal", codePostal, 20)
	c.optText("ville", ville, 100)
	c.optText("pays", pays, 100)
	c.optText("contact_nom", contact, 200)
}

func (m *Module) update(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	var in ClientUpdate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	if err := checkUpdate(&in); err != nil {
		return err
	}
	var c *client
	ctx := req.Context()
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var txErr error
		c, txErr = m.applyUpdate(ctx, tx, req.Request, id, in)
		return txErr
	})
	if err != nil {
		return err
	}
	httpx.SetETag(w, c.Version)
	return httpx.WriteJSON(w, http.StatusOK, c.out())
}

// applyUpdate runs inside the update's transaction: read, check If-Match,
// change, write with the version guard, audit.
func (m *Module) applyUpdate(ctx context.Context, tx bun.IDB, r *http.Request, id int64,
	in ClientUpdate) (*client, error) {
	c, err := getClient(ctx, tx, id, auth.FromContext(ctx).ClientScope())
	if err != nil {
		return nil, err
	}
	if err := httpx.CheckIfMatch(r, c.Version); err != nil {
		return nil, err
	}
	before, prev := c.out(), c.Version
	merge(c, in)
	c.Version++
	c.DateModification = time.Now().UTC().Truncate(time.Microsecond)
	ok, err := updateClient(ctx, tx, c, prev)
	if err != nil {
		return nil, conflictOnCode(err, c.Code)
	}
	if !ok {
		return nil, httpx.PreconditionFailed(prev + 1)
	}
	return c, record(ctx, tx, "client.update", c.ID, before, c.out())
}

// checkUpdate trims and validates the fields present in a partial update.
func checkUpdate(in *ClientUpdate) error {
	for _, s := range []*string{in.Nom, in.Code, in.Adresse, in.CodePostal, in.Ville, in.Pays,
		in.ContactNom, in.Telephone, in.Email} {
		trimOpt(s)
	}
	var c checker
	if in.Nom != nil {
		c.text("nom", *in.Nom, 2, 255)
	}
	if in.Code != nil {
		c.code(*in.Code)
	}
	checkOptional(&c, in.Adresse, in.CodePostal, in.Ville, in.Pays, in.ContactNom)
	c.phone(in.Telephone)
	c.email(in.Email)
	return c.err()
}

// merge applies the present fields of in to c.
func merge(c *client, in ClientUpdate) {
	if in.Nom != nil {
		c.Nom = *in.Nom
	}
	if in.Code != nil {
		c.Code = strings.ToUpper(*in.Code)
	}
	for _, f := range []struct {
		dst **string
		src *string
	}{
		{&c.Adresse, in.Adresse}, {&c.CodePostal, in.CodePostal}, {&c.Ville, in.Ville},
		{&c.Pays, in.Pays}, {&c.ContactNom, in.ContactNom}, {&c.Telephone, in.Telephone},
		{&c.Email, in.Email},
	} {
		if f.src != nil {
			*f.dst = nullIfEmpty(f.src)
		}
	}
	if in.Actif != nil {
		c.Actif = *in.Actif
	}
}

func (m *Module) remove(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	ctx := req.Context()
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return m.applyDelete(ctx, tx, req.Request, id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) applyDelete(ctx context.Context, tx bun.IDB, r *http.Request, id int64) error {
	c, err := getClient(ctx, tx, id, auth.FromContext(ctx).ClientScope())
	if err != nil {
		return err
	}
	if err := httpx.CheckIfMatch(r, c.Version); err != nil {
		return err
	}
	n, err := m.interventionCount(ctx, tx, id)
	if err != nil {
		return err
	}
	if n > 0 {
		return httpx.Conflict(fmt.Sprintf("Le client a %d intervention(s) : il ne peut pas "+
			"être supprimé, désactivez-le plutôt (actif=false).", n))
	}
	// Limitation: users of this client (users.client_id, owned by the users
	// module, without a foreign key) are not checked and keep a dangling id;
	// the users module publishes no count to ask.
	if err := deleteClient(ctx, tx, id); err != nil {
		if db.IsForeignKeyViolation(err) {
			return httpx.Conflict("Des équipements ou d'autres données sont rattachés à ce " +
				"client : supprimez-les d'abord, ou désactivez le client (actif=false).")
		}
		return err
	}
	return record(ctx, tx, "client.delete", id, c.out(), nil)
}

// conflictOnCode turns a unique violation on the code into a 409.
func conflictOnCode(err error, code string) error {
	if db.IsUniqueViolation(err) {
		return httpx.Conflict("Un client avec le code « " + code + " » existe déjà.")
	}
	return err
}

func record(ctx context.Context, tx bun.IDB, action string, id int64, before, after any) error {
	return audit.Record(ctx, tx, audit.Change{Action: action, Resource: "client",
		ResourceID: strconv.FormatInt(id, 10), Before: before, After: after})
}
