package httpx

import (
	"strconv"
	"strings"

	"github.com/uptrace/bunrouter"
)

// PathID reads the positive integer path parameter name ("id"), answering a
// 400 naming it when it is anything else.
func PathID(req bunrouter.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(req.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, Invalid(FieldError{Loc: []string{"path", name},
			Msg: "entier positif attendu", Type: "int_parsing"})
	}
	return id, nil
}

// QueryBool reads an optional true/false query parameter: nil when absent,
// a FieldError naming it when it is neither.
func QueryBool(s, name string) (*bool, *FieldError) {
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		fe := QueryField(name, "bool_parsing", "true ou false attendu")
		return nil, &fe
	}
	return &b, nil
}

// Sort describes the sort orders a list accepts: the sort parameter names a
// key, optionally prefixed with "-" for descending order.
type Sort struct {
	// Keys lists the accepted keys, in the order error messages show them.
	Keys []string
	// Columns maps each key to its (indexed) column.
	Columns map[string]string
	// Default is the ORDER BY used when the parameter is absent.
	Default string
	// TieBreak is the unique column appended to every order, so that pages
	// never overlap ("id", "t.id").
	TieBreak string
}

// Parse turns the sort parameter s into an ORDER BY clause, or a FieldError
// listing the accepted keys.
func (s Sort) Parse(param string) (string, *FieldError) {
	if param == "" {
		return s.Default, nil
	}
	key, dir := param, "ASC"
	if rest, ok := strings.CutPrefix(param, "-"); ok {
		key, dir = rest, "DESC"
	}
	col, ok := s.Columns[key]
	if !ok {
		fe := QueryField("sort", "enum", "tri possible sur "+strings.Join(s.Keys, ", ")+
			" (préfixe - : décroissant)")
		return "", &fe
	}
	return col + " " + dir + ", " + s.TieBreak + " " + dir, nil
}
