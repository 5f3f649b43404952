package clients

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/erp-interventions/erp/core/httpx"
)

var (
	codeRE  = regexp.MustCompile(codePattern)
	phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 .()-]{5,29}$`)
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
	case n > maxLen:
		c.add(name, "string_too_long", "doit contenir au plus "+strconv.Itoa(maxLen)+
			" caractères")
	}
}

// optText checks an optional text field, already trimmed; nil or empty is
// fine.
func (c *checker) optText(name string, v *string, maxLen int) {
	if v != nil && utf8.RuneCountInString(*v) > maxLen {
		c.add(name, "string_too_long", "doit contenir au plus "+strconv.Itoa(maxLen)+
			" caractères")
	}
}

func (c *checker) code(v string) {
	c.text("code", v, 2, 50)
	if v != "" && !codeRE.MatchString(v) {
		c.add("code", "string_pattern_mismatch",
			"lettres, chiffres, « - » ou « _ », commençant par une lettre ou un chiffre")
	}
}

func (c *checker) phone(v *string) {
	if v != nil && *v != "" && !phoneRE.MatchString(*v) {
		c.add("telephone", "string_pattern_mismatch",
			"numéro de téléphone invalide (chiffres, espaces, + . - ( ))")
	}
}

func (c *checker) email(v *string) {
	c.optText("email", v, 254)
	if v == nil || *v == "" {
		return
	}
	a, err := mail.ParseAddress(*v)
	if err != nil || a.Address != *v {
		c.add("email", "value_error", "adresse électronique invalide")
	}
}

func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return httpx.Invalid(c.errs...)
}

// trim trims a required text field.
func trim(s *string) { *s = strings.TrimSpace(*s) }

// trimOpt trims an optional text field in place; nil stays nil.
func trimOpt(s *string) {
	if s != nil {
		*s = strings.TrimSpace(*s)
	}
}

// nullIfEmpty maps an empty optional text to NULL for storage.
func nullIfEmpty(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}
