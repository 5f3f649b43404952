package interventions

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/erp-interventions/erp/core/httpx"
)

// filter is a parsed list request.
type filter struct {
	statuts      []StatutIntervention
	priorites    []PrioriteIntervention
	types        []InterventionType
	urgence      *bool
	technicienID int64
	clientID     int64
	equipementID int64
	creationMin  *time.Time
	creationMax  *time.Time
	planifieeMin *time.Time
	planifieeMax *time.Time
	q            string
	sort         string
	page         httpx.Page
}

// defaultSort lists the newest interventions first.
const defaultSort = "-date_creation"

// parseFilter reads the list filters from the query string, naming every
// bad parameter in one 400.
func parseFilter(v url.Values) (filter, error) {
	var p queryParser
	page, err := httpx.ParsePage(v)
	var pageErr *httpx.Error
	if errors.As(err, &pageErr) {
		p.errs = append(p.errs, pageErr.Fields...)
	} else if err != nil {
		return filter{}, err
	}
	f := filter{
		statuts:      parseEnums(&p, v, "statut", StatutIntervention.Valid),
		priorites:    parseEnums(&p, v, "priorite", PrioriteIntervention.Valid),
		types:        parseEnums(&p, v, "type_intervention", InterventionType.Valid),
		urgence:      p.boolean(v, "urgence"),
		technicienID: p.id(v, "technicien_id"),
		clientID:     p.id(v, "client_id"),
		equipementID: p.id(v, "equipement_id"),
		creationMin:  p.date(v, "date_creation_min"),
		creationMax:  p.date(v, "date_creation_max"),
		planifieeMin: p.date(v, "date_planifiee_min"),
		planifieeMax: p.date(v, "date_planifiee_max"),
		q:            p.text(v, "q", 200),
		sort:         p.sort(v),
		page:         page,
	}
	if len(p.errs) > 0 {
		return filter{}, httpx.Invalid(p.errs...)
	}
	return f, nil
}

// queryParser gathers the errors of the parameters it reads.
type queryParser struct {
	errs []httpx.FieldError
}

func (p *queryParser) fail(name, kind, msg string) {
	p.errs = append(p.errs, httpx.QueryField(name, kind, msg))
}

// parseEnums reads a multi-valued parameter: repeated (statut=a&statut=b),
// comma-separated (statut=a,b) or both.
func parseEnums[T ~string](p *queryParser, v url.Values, name string, valid func(T) bool) []T {
	var out []T
	for _, raw := range v[name] {
		for _, s := range strings.Split(raw, ",") {
			t := T(strings.TrimSpace(s))
			if t == "" {
				continue
			}
			if !valid(t) {
				p.fail(name, "enum", "valeur inconnue : "+string(t))
				continue
			}
			out = append(out, t)
		}
	}
	return out
}

func (p *queryParser) boolean(v url.Values, name string) *bool {
	s := v.Get(name)
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		p.fail(name, "bool_parsing", "true ou false attendu")
		return nil
	}
	return &b
}

func (p *queryParser) id(v url.Values, name string) int64 {
	s := v.Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		p.fail(name, "int_parsing", "identifiant entier positif attendu")
		return 0
	}
	return n
}

// date accepts RFC 3339 or a calendar day (taken as midnight UTC).
func (p *queryParser) date(v url.Values, name string) *time.Time {
	s := v.Get(name)
	if s == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	p.fail(name, "datetime_parsing", "date RFC 3339 ou AAAA-MM-JJ attendue")
	return nil
}

func (p *queryParser) text(v url.Values, name string, maxLen int) string {
	s := strings.TrimSpace(v.Get(name))
	if utf8.RuneCountInString(s) > maxLen {
		p.fail(name, "string_too_long", "au plus "+itoa(maxLen)+" caractères")
		return ""
	}
	return s
}

func (p *queryParser) sort(v url.Values) string {
	s := v.Get("sort")
	if s == "" {
		return defaultSort
	}
	if _, ok := sortColumns[strings.TrimPrefix(s, "-")]; !ok {
		p.fail("sort", "enum", "tri inconnu : "+s+" (date_creation, date_modification, "+
			"date_planifiee, priorite, id, précédés ou non de -)")
		return defaultSort
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }
