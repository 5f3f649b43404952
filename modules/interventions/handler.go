package interventions

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// pathID reads the {id} path parameter.
func pathID(req bunrouter.Request) (int64, error) {
	id, err := strconv.ParseInt(req.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, httpx.Invalid(httpx.FieldError{Loc: []string{"path", "id"},
			Msg: "identifiant entier positif attendu", Type: "int_parsing"})
	}
	return id, nil
}

func (m *Module) handleCreate(w http.ResponseWriter, req bunrouter.Request) error {
	var in InterventionCreate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	resp, err := m.create(req.Context(), auth.FromContext(req.Context()), in)
	if err != nil {
		return err
	}
	return resp.Write(w)
}

func (m *Module) handleList(w http.ResponseWriter, req bunrouter.Request) error {
	f, err := parseFilter(req.URL.Query())
	if err != nil {
		return err
	}
	rows, total, err := m.list(req.Context(), auth.FromContext(req.Context()), f)
	if err != nil {
		return err
	}
	httpx.SetPageHeaders(w, req.Request, f.page, total)
	return httpx.WriteJSON(w, http.StatusOK, rows)
}

func (m *Module) handleGet(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req)
	if err != nil {
		return err
	}
	iv, err := m.get(req.Context(), auth.FromContext(req.Context()), id)
	if err != nil {
		return err
	}
	tag := etag(iv.Version)
	w.Header().Set("ETag", tag)
	if inm := req.Header.Get("If-None-Match"); inm != "" && matches(inm, iv.Version, true) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return httpx.WriteJSON(w, http.StatusOK, iv)
}

func (m *Module) handleUpdate(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req)
	if err != nil {
		return err
	}
	in, err := decodeUpdate(req.Request)
	if err != nil {
		return err
	}
	in.ID, in.IfMatch = id, req.Header.Get("If-Match")
	resp, err := m.update(req.Context(), auth.FromContext(req.Context()), in)
	if err != nil {
		return err
	}
	return resp.Write(w)
}

// decodeUpdate decodes a PATCH body and notes which members it carried. A
// statut member is let through the decoding so that validation can say it
// is read-only rather than unknown.
func decodeUpdate(r *http.Request) (InterventionUpdate, error) {
	var raw map[string]json.RawMessage
	if err := httpx.DecodeJSON(r, &raw); err != nil {
		return InterventionUpdate{}, err
	}
	in := InterventionUpdate{sent: map[string]bool{}}
	for k := range raw {
		in.sent[k] = true
	}
	delete(raw, "statut")
	b, err := json.Marshal(raw)
	if err != nil {
		return in, err
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return in, err
	}
	return in, nil
}

// handleStep returns the handler of a workflow step.
func (m *Module) handleStep(s step) httpx.HandlerFunc {
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		id, err := pathID(req)
		if err != nil {
			return err
		}
		body := s.Body()
		if err := decodeOptional(req.Request, body); err != nil {
			return err
		}
		in, err := body.input()
		if err != nil {
			return err
		}
		resp, err := m.transition(req.Context(), auth.FromContext(req.Context()), id, s, in)
		if err != nil {
			return err
		}
		return resp.Write(w)
	}
}

// decodeOptional decodes a body when there is one; a step's body may be
// omitted, its required members are then reported missing by input.
func decodeOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	return httpx.DecodeJSON(r, v)
}

func (m *Module) handleHistorique(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req)
	if err != nil {
		return err
	}
	rows, err := m.historique(req.Context(), auth.FromContext(req.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rows)
}

func (m *Module) handleComment(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req)
	if err != nil {
		return err
	}
	var in CommentaireCreate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	in.ID = id
	resp, err := m.comment(req.Context(), auth.FromContext(req.Context()), in)
	if err != nil {
		return err
	}
	return resp.Write(w)
}

func (m *Module) handleCommentaires(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req)
	if err != nil {
		return err
	}
	page, err := httpx.ParsePage(req.URL.Query())
	if err != nil {
		return err
	}
	rows, total, err := m.commentaires(req.Context(), auth.FromContext(req.Context()), id,
		page)
	if err != nil {
		return err
	}
	httpx.SetPageHeaders(w, req.Request, page, total)
	return httpx.WriteJSON(w, http.StatusOK, rows)
}
