// Command rapportcloture is an example plugin for ERP Interventions. It
// vetoes closing (cloturer) a corrective intervention on equipment of
// haute criticality unless the closing report (rapport) is long enough:
// 50 characters, or the rapport_min of the plugin's config.
//
// Build it with `go build -o rapport-cloture ./plugins/examples/rapportcloture`
// and declare it under plugins in the server's configuration.
package main

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/erp-interventions/erp/plugins/sdk"
)

// defaultMinimum is the shortest accepted report when the config sets none.
const defaultMinimum = 50

// settings is the plugin's config section.
type settings struct {
	// RapportMin is the shortest accepted report, in characters.
	RapportMin int `json:"rapport_min"`
}

// plugin serves BeforeTransition only.
type plugin struct{ sdk.Base }

// BeforeTransition refuses the closing step when the report is too short.
func (plugin) BeforeTransition(_ context.Context, r *sdk.TransitionRequest) (sdk.Decision, error) {
	if r.Transition.Action != "cloturer" || r.Intervention.TypeIntervention != "corrective" ||
		r.Criticite != "haute" {
		return sdk.Allow(), nil
	}
	var s settings
	if err := r.DecodeConfig(&s); err != nil {
		return sdk.Decision{}, err
	}
	minimum := s.RapportMin
	if minimum <= 0 {
		minimum = defaultMinimum
	}

	n := utf8.RuneCountInString(strings.TrimSpace(r.Transition.Rapport))
	if n >= minimum {
		return sdk.Allow(), nil
	}
	return sdk.Veto(fmt.Sprintf("Le rapport de clôture d'une intervention corrective sur un "+
		"équipement de criticité haute doit compter au moins %d caractères (%d fournis).",
		minimum, n)), nil
}

func main() {
	sdk.Serve(plugin{sdk.Base{Name: "rapport-cloture", Version: "1.0.0"}})
}
