package db

import "strings"

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// EscapeLike escapes LIKE's wildcards in s, for a pattern used with
// ESCAPE '\'.
func EscapeLike(s string) string { return likeEscaper.Replace(s) }

// ContainsPattern turns a search text into a lower-case LIKE pattern that
// matches it anywhere (used with ESCAPE '\').
func ContainsPattern(q string) string {
	return "%" + EscapeLike(strings.ToLower(q)) + "%"
}
