package techniciens

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/erp-interventions/erp/core/httpx"
)

var (
	phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 .()-]{5,29}$`)
	codeRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9_]*$`)
)

// checker collects every bad field of a request, so one 400 names them all.
type checker struct {
	errs []httpx.FieldError
}

func (c *checker) at(loc []string, kind, msg string) {
	c.errs = append(c.errs, httpx.FieldError{Loc: loc, Msg: msg, Type: kind})
}

func (c *checker) add(name, kind, msg string) {
	c.errs = append(c.errs, httpx.Field(name, kind, msg))
}

// text checks a required text field, already trimmed.
func (c *checker) text(name, v string, minLen, maxLen int) {
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0:
		c.add(name, "missing", "champ obligatoire")
	case n < minLen:
		c.add(name, "string_too_short", "doit contenir au moins "+strconv.Itoa(minLen)+
			" caractères")
	default:
		c.optText(name, &v, maxLen)
	}
}

// optText checks an optional text field, already trimmed.
func (c *checker) optText(name string, v *string, maxLen int) {
	if v != nil && utf8.RuneCountInString(*v) > maxLen {
		c.add(name, "string_too_long", "doit contenir au plus "+strconv.Itoa(maxLen)+
			" caractères")
	}
}

// contact checks the contact fields a technician may edit themselves.
func (c *checker) contact(telephone, zone *string) {
	c.optText("telephone", telephone, 30)
	if telephone != nil && *telephone != "" && !phoneRE.MatchString(*telephone) {
		c.add("telephone", "string_pattern_mismatch",
			"numéro de téléphone invalide (chiffres, espaces, + . - ( ))")
	}
	c.optText("zone", zone, 100)
}

func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return httpx.Invalid(c.errs...)
}

// trimAll trims text fields in place; nil stays nil.
func trimAll(ss ...*string) {
	for _, s := range ss {
		if s != nil {
			*s = strings.TrimSpace(*s)
		}
	}
}

// nullIfEmpty maps an empty optional text to NULL for storage.
func nullIfEmpty(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

// today is the current UTC date, the day against which expiry dates are
// compared: a competence is valid through its expiry date.
func today() string { return time.Now().UTC().Format(dateLayout) }

// now is the current time as both databases store it: UTC, microseconds.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
