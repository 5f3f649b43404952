package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
)

// DecodeJSON reads the request body into v. Malformed JSON, a value of the
// wrong type, an unknown field or an empty body is a 400 naming the field;
// a body over the size limit is a 413.
func DecodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return tooLarge(tooBig.Limit)
		}
		return NewError(http.StatusBadRequest, "Lecture du corps de la requête impossible.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return Invalid(FieldError{Loc: []string{"body"}, Msg: "corps de requête manquant",
			Type: "missing"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Invalid(jsonFieldError(err))
	}
	if dec.More() {
		return Invalid(FieldError{Loc: []string{"body"},
			Msg: "un seul objet JSON est attendu", Type: "json_invalid"})
	}
	return nil
}

func jsonFieldError(err error) FieldError {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return FieldError{Loc: []string{"body"}, Msg: "JSON mal formé", Type: "json_invalid"}
	case errors.As(err, &typ):
		loc := []string{"body"}
		if typ.Field != "" {
			loc = append(loc, strings.Split(typ.Field, ".")...)
		}
		return FieldError{Loc: loc, Msg: "type attendu : " + jsonTypeName(typ.Type.Kind().String()),
			Type: "type_error"}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return FieldError{Loc: []string{"body", strings.Trim(name, `"`)},
			Msg: "champ inconnu", Type: "extra_forbidden"}
	}
	return FieldError{Loc: []string{"body"}, Msg: "JSON invalide", Type: "json_invalid"}
}

func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "entier"
	case strings.HasPrefix(kind, "float"):
		return "nombre"
	case kind == "bool":
		return "booléen"
	case kind == "string":
		return "chaîne"
	case kind == "slice", kind == "array":
		return "liste"
	}
	return "objet"
}

// WriteJSON writes v as a JSON answer with status. The value is encoded
// before anything is sent, so an encoding failure still becomes a clean 500.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer jsonBuffers.Put(buf)
	buf.Reset()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// jsonBuffers recycles answer buffers across requests.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
