package httpx

import (
	"strconv"

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
