package notifications

import (
	"embed"
	"fmt"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

// languages are those the templates are written in; the first is the
// fallback.
var languages = []string{"fr", "en"}

// texts renders notification titles, messages and e-mails in each language.
type texts struct {
	byLang map[string]*template.Template
}

// textData is what the templates of a notification may show.
type textData struct {
	InterventionID int64
	Titre          string
	Priorite       string
	DatePlanifiee  string
	Delai          string
}

// emailData is what the e-mail templates show.
type emailData struct {
	Titre, Message string
}

func loadTexts() (*texts, error) {
	t := &texts{byLang: map[string]*template.Template{}}
	for _, lang := range languages {
		tmpl, err := template.ParseFS(templateFiles, "templates/"+lang+".tmpl")
		if err != nil {
			return nil, fmt.Errorf("load %s notification templates: %w", lang, err)
		}
		t.byLang[lang] = tmpl.Option("missingkey=error")
	}
	return t, nil
}

// notification returns the title and message of a notification of type kind.
func (t *texts) notification(lang, kind string, d textData) (string, string, error) {
	titre, err := t.render(lang, kind+".titre", d)
	if err != nil {
		return "", "", err
	}
	msg, err := t.render(lang, kind+".message", d)
	if err != nil {
		return "", "", err
	}
	return titre, capitalise(msg), nil
}

// email returns the subject and plain-text body of an e-mail.
func (t *texts) email(lang string, d emailData) (string, string, error) {
	subject, err := t.render(lang, "email.sujet", d)
	if err != nil {
		return "", "", err
	}
	body, err := t.render(lang, "email.corps", d)
	return subject, body, err
}

func (t *texts) render(lang, name string, data any) (string, error) {
	tmpl, ok := t.byLang[lang]
	if !ok {
		tmpl = t.byLang[languages[0]]
	}
	var b strings.Builder
	if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s text %s: %w", lang, name, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// capitalise upper-cases the first letter, for messages that start with a
// shared phrase written in lower case.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
