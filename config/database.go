package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// sqliteSuffixes are the file extensions that mark a plain path as a SQLite
// database file.
var sqliteSuffixes = []string{".db", ".sqlite", ".sqlite3"}

// Driver returns DriverSQLite or DriverPostgres depending on the URL, or ""
// when the URL is not one Validate accepts.
func (d Database) Driver() string {
	driver, _, err := parseDatabaseURL(d.URL)
	if err != nil {
		return ""
	}
	return driver
}

// SQLitePath returns the file path of a SQLite database URL, without any
// query parameters: "file:./data/erp.db" gives "./data/erp.db". It returns
// "" for PostgreSQL and for invalid URLs.
func (d Database) SQLitePath() string {
	driver, path, err := parseDatabaseURL(d.URL)
	if err != nil || driver != DriverSQLite {
		return ""
	}
	return path
}

// parseDatabaseURL works out the driver of a database URL and, for SQLite,
// the file path.
func parseDatabaseURL(raw string) (driver, path string, err error) {
	if strings.TrimSpace(raw) == "" {
		return "", "", errors.New("must not be empty")
	}
	lower := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			// Report the parser's reason without the URL, which may hold
			// a password.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return "", "", fmt.Errorf("cannot be parsed: %w", err)
		}
		return DriverPostgres, "", nil
	case strings.HasPrefix(lower, "sqlite:"):
		return sqliteFromRest(raw[len("sqlite:"):])
	case strings.HasPrefix(lower, "file:"):
		return sqliteFromRest(raw[len("file:"):])
	}
	if scheme, _, found := strings.Cut(raw, "://"); found {
		return "", "", fmt.Errorf("uses the unsupported scheme %q "+
			"(use sqlite://, file:, a path ending in .db, or postgres://)", scheme)
	}
	for _, suffix := range sqliteSuffixes {
		if strings.HasSuffix(lower, suffix) {
			return DriverSQLite, raw, nil
		}
	}
	return "", "", errors.New("is not a database URL " +
		"(use sqlite://PATH, file:PATH, a path ending in .db, or postgres://...)")
}

// sqliteFromRest extracts the file path from what follows "sqlite:" or
// "file:", dropping a leading "//" and any query string.
func sqliteFromRest(rest string) (string, string, error) {
	rest = strings.TrimPrefix(rest, "//")
	path, _, _ := strings.Cut(rest, "?")
	if path == "" {
		return "", "", errors.New("names no SQLite file")
	}
	return DriverSQLite, path, nil
}

// redactURL hides the password of a URL's user information and the value of
// any query parameter whose name looks secret. Text that is not a URL is
// returned unchanged.
func redactURL(raw string) string {
	schemeEnd := strings.Index(raw, "://")
	if schemeEnd < 0 {
		return raw
	}
	head, rest := raw[:schemeEnd+3], raw[schemeEnd+3:]
	authEnd := strings.IndexAny(rest, "/?#")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	authority, tail := rest[:authEnd], rest[authEnd:]
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		user := authority[:at]
		if colon := strings.Index(user, ":"); colon >= 0 {
			authority = user[:colon+1] + redactedText + authority[at:]
		}
	}
	if q := strings.Index(tail, "?"); q >= 0 {
		query, fragment, hasFragment := strings.Cut(tail[q+1:], "#")
		params := strings.Split(query, "&")
		for i, param := range params {
			name, _, hasValue := strings.Cut(param, "=")
			if hasValue && looksSecret(strings.ToLower(name)) {
				params[i] = name + "=" + redactedText
			}
		}
		tail = tail[:q+1] + strings.Join(params, "&")
		if hasFragment {
			tail += "#" + fragment
		}
	}
	return head + authority + tail
}
