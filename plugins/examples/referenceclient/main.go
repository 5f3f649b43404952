// Command referenceclient is an example plugin for ERP Interventions. It
// gives each intervention the client's own work-order reference, kept in
// extensions.reference_client:
//
//   - ValidateIntervention refuses a reference_client that does not match
//     the client's pattern, naming the field extensions.reference_client;
//   - ComputeFields fills reference_client, when the user gave none, from
//     the client's prefix, the creation year and the intervention id
//     (ACME-2025-000123), and normalises a given one (trimmed, upper case).
//
// Its config section:
//
//	config:
//	  prefix: ACME                           # required
//	  pattern: '^ACME-[0-9]{4}-[0-9]{6}$'    # default: ^PREFIX-[0-9]{4}-[0-9]{6}$
//	  required: false                        # refuse an intervention without one
package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/erp-interventions/erp/plugins/sdk"
)

// field is the key of the reference in the extensions object.
const field = "reference_client"

// settings is the plugin's config section.
type settings struct {
	Prefix   string `json:"prefix"`
	Pattern  string `json:"pattern"`
	Required bool   `json:"required"`
}

// rules are the settings, checked and compiled.
type rules struct {
	prefix   string
	pattern  *regexp.Regexp
	required bool
}

func load(r *sdk.Request) (*rules, error) {
	var s settings
	if err := r.DecodeConfig(&s); err != nil {
		return nil, err
	}
	if s.Prefix == "" {
		return nil, errors.New("config: prefix is required")
	}
	if s.Pattern == "" {
		s.Pattern = "^" + regexp.QuoteMeta(s.Prefix) + "-[0-9]{4}-[0-9]{6}$"
	}
	re, err := regexp.Compile(s.Pattern)
	if err != nil {
		return nil, fmt.Errorf("config: pattern: %w", err)
	}
	return &rules{prefix: s.Prefix, pattern: re, required: s.Required}, nil
}

// given returns the reference the user set, normalised, or "".
func given(iv sdk.Intervention) string {
	v, _ := iv.Extensions[field].(string)
	return strings.ToUpper(strings.TrimSpace(v))
}

// plugin serves ValidateIntervention and ComputeFields.
type plugin struct{ sdk.Base }

// ValidateIntervention checks the format of a given reference.
func (plugin) ValidateIntervention(_ context.Context, r *sdk.Request) ([]sdk.FieldError, error) {
	rl, err := load(r)
	if err != nil {
		return nil, err
	}
	ref := given(r.Intervention)
	switch {
	case ref == "" && rl.required:
		return []sdk.FieldError{{Field: "extensions." + field, Code: "missing",
			Message: "La référence client est obligatoire pour ce client."}}, nil
	case ref != "" && !rl.pattern.MatchString(ref):
		return []sdk.FieldError{{Field: "extensions." + field, Code: "reference_format",
			Message: fmt.Sprintf("La référence client %q ne suit pas le format attendu (%s).",
				ref, rl.pattern)}}, nil
	}
	return nil, nil
}

// ComputeFields normalises the given reference or builds one.
func (plugin) ComputeFields(_ context.Context, r *sdk.Request) (map[string]any, error) {
	rl, err := load(r)
	if err != nil {
		return nil, err
	}
	if ref := given(r.Intervention); ref != "" {
		return map[string]any{field: ref}, nil
	}
	iv := r.Intervention
	if iv.ID == 0 {
		return nil, nil // not stored yet: no id to build the reference from
	}
	year := iv.DateCreation.UTC().Year()
	return map[string]any{field: fmt.Sprintf("%s-%04d-%06d", rl.prefix, year, iv.ID)}, nil
}

func main() {
	sdk.Serve(plugin{sdk.Base{Name: "reference-client", Version: "1.0.0"}})
}
