package equipements

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/erp-interventions/erp/core/httpx"
)

// checker collects every bad field of a request, so one 400 names them all.
type checker struct {
	errs []httpx.FieldError
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

// date parses an optional calendar date; "" means no date.
func (c *checker) date(name string, v *string) *time.Time {
	if v == nil || *v == "" {
		return nil
	}
	d, err := time.Parse(dateLayout, *v)
	if err != nil {
		c.add(name, "date_parsing", "date attendue au format AAAA-MM-JJ")
		return nil
	}
	return &d
}

func (c *checker) statut(v *StatutEquipement) {
	if v != nil && !slices.Contains(statuts, *v) {
		c.add("statut", "enum", "valeurs possibles : "+joinValues(statuts))
	}
}

func (c *checker) criticite(v *CriticiteEquipement) {
	if v != nil && !slices.Contains(criticites, *v) {
		c.add("criticite", "enum", "valeurs possibles : "+joinValues(criticites))
	}
}

func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return httpx.Invalid(c.errs...)
}

func joinValues[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// trimAll trims optional text fields in place; nil stays nil.
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
