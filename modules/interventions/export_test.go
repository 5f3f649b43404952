package interventions

import (
	"net/url"

	"github.com/uptrace/bun"
)

// ListSQL returns the list and count queries the list handler runs for
// query, as SQL text, so that tests can ask the database for their plans.
func ListSQL(idb bun.IDB, query string, clientScope int64) (list, count string, err error) {
	v, err := url.ParseQuery(query)
	if err != nil {
		return "", "", err
	}
	f, err := parseFilter(v)
	if err != nil {
		return "", "", err
	}
	sc := scope{clientID: clientScope}
	var rows []InterventionOut
	return listQuery(idb, f, sc, &rows).String(), countQuery(idb, f, sc).String(), nil
}
