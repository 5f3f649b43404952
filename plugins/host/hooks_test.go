package host

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/erp-interventions/erp/plugins/protocol"
)

func closing(clientID int64, typ, criticite, rapport string) Call {
	return Call{
		Intervention: Intervention{ID: 41, ClientID: clientID, TypeIntervention: typ,
			Statut: "en_cours", Priorite: "haute", Titre: "Pompe P-12"},
		Role:      "technicien",
		Criticite: criticite,
		Transition: Transition{Action: "cloturer", From: "en_cours", To: "cloturee",
			Rapport: rapport},
	}
}

var longRapport = strings.Repeat("Roulement remplacé, essais concluants. ", 2)

func TestRapportPluginVetoesShortClosingReport(t *testing.T) {
	t.Parallel()
	h, _ := startHost(t, declare(t, "rapport", bin.rapport))
	cases := []struct {
		name string
		call Call
		veto bool
	}{
		{"ShortReportOnHauteCorrectiveIsVetoed", closing(1, "corrective", "haute", "Fait."), true},
		{"LongReportIsAllowed", closing(1, "corrective", "haute", longRapport), false},
		{"PreventiveIsAllowed", closing(1, "preventive", "haute", "Fait."), false},
		{"MoyenneCriticiteIsAllowed", closing(1, "corrective", "moyenne", "Fait."), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			veto, err := reasonOf(h.BeforeTransition(context.Background(), tc.call))
			if err != nil {
				t.Fatal(err)
			}
			if (veto != "") != tc.veto {
				t.Fatalf("veto = %q, want a veto: %v", veto, tc.veto)
			}
			if tc.veto && !strings.Contains(veto, "au moins 50 caractères (5 fournis)") {
				t.Errorf("veto reason %q does not give the rule", veto)
			}
		})
	}
}

func TestRapportPluginReadsItsConfig(t *testing.T) {
	t.Parallel()
	h, _ := startHost(t, declare(t, "rapport", bin.rapport,
		withConfig(map[string]any{"rapport_min": 3})))
	call := closing(1, "corrective", "haute", "Fait.")
	veto, err := reasonOf(h.BeforeTransition(context.Background(), call))
	if err != nil || veto != "" {
		t.Fatalf("with rapport_min 3, got veto %q, err %v", veto, err)
	}
}

func referenceHost(t *testing.T) *Host {
	h, _ := startHost(t, declare(t, "reference", bin.reference,
		withConfig(map[string]any{"prefix": "ACME"})))
	return h
}

func withReference(ref string) Call {
	iv := Intervention{ID: 123, ClientID: 5, Titre: "Compresseur",
		DateCreation: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}
	if ref != "" {
		iv.Extensions = map[string]any{"reference_client": ref}
	}
	return Call{Intervention: iv, Role: "responsable", Operation: "create"}
}

func TestReferencePluginNamesTheBadField(t *testing.T) {
	t.Parallel()
	h := referenceHost(t)

	errs, err := h.Validate(context.Background(), withReference("CMD-12"))
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 {
		t.Fatalf("got %d field errors, want 1: %+v", len(errs), errs)
	}
	got := errs[0]
	if got.Field != "extensions.reference_client" || got.Plugin != "reference" ||
		got.Code != "reference_format" || !strings.Contains(got.Message, "CMD-12") {
		t.Errorf("field error = %+v", got)
	}

	errs, err = h.Validate(context.Background(), withReference("acme-2025-000777"))
	if err != nil || len(errs) != 0 {
		t.Errorf("a well-formed reference gave %+v, %v", errs, err)
	}
}

func TestReferencePluginComputesTheField(t *testing.T) {
	t.Parallel()
	h := referenceHost(t)
	cases := []struct {
		name, given, want string
	}{
		{"BuildsOneWhenNoneIsGiven", "", "ACME-2025-000123"},
		{"NormalisesTheGivenOne", " acme-2024-000001 ", "ACME-2024-000001"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fields, err := h.ComputeFields(context.Background(), withReference(tc.given))
			if err != nil {
				t.Fatal(err)
			}
			if fields["reference_client"] != tc.want {
				t.Errorf("computed %v, want reference_client %q", fields, tc.want)
			}
		})
	}
}

func TestPluginsApplyOnlyToTheirClients(t *testing.T) {
	t.Parallel()
	h, _ := startHost(t,
		declare(t, "rapport", bin.rapport, forClients(7, 9)),
		declare(t, "behave", bin.behave))

	veto, err := reasonOf(h.BeforeTransition(context.Background(),
		closing(8, "corrective", "haute", "x")))
	if err != nil || veto != "" {
		t.Errorf("client 8 is not in clients [7 9]: veto %q, err %v", veto, err)
	}
	v, err := h.BeforeTransition(context.Background(), closing(9, "corrective", "haute", "x"))
	if err != nil || !v.Vetoed() || v.Plugin != "rapport" {
		t.Errorf("client 9 is in clients [7 9]: veto %+v, err %v", v, err)
	}

	// The plugin with no clients list applies to every client.
	call := closing(8, "corrective", "haute", "x")
	call.Transition.Motif = "veto:refusé pour tous"
	veto, _ = reasonOf(h.BeforeTransition(context.Background(), call))
	if veto != "refusé pour tous" {
		t.Errorf("the plugin for every client answered veto %q", veto)
	}
}

func TestHooksAPluginDoesNotServeAreSkipped(t *testing.T) {
	t.Parallel()
	h, _ := startHost(t, declare(t, "rapport", bin.rapport))
	if got := statusOf(t, h, "rapport").Hooks; !slices.Equal(got,
		[]protocol.Hook{protocol.HookBeforeTransition}) {
		t.Fatalf("hooks = %v, want only BeforeTransition", got)
	}
	errs, err := h.Validate(context.Background(), closing(1, "corrective", "haute", ""))
	if err != nil || errs != nil {
		t.Errorf("Validate on a plugin without the hook: %v, %v", errs, err)
	}
}

func TestConfigAndValidationReachThePlugin(t *testing.T) {
	t.Parallel()
	h, _ := startHost(t, declare(t, "behave", bin.behave,
		withConfig(map[string]any{"label": "atelier-nord"})))

	fields, err := h.ComputeFields(context.Background(), withReference(""))
	if err != nil {
		t.Fatal(err)
	}
	if fields["label"] != "atelier-nord" {
		t.Errorf("computed %v, want the config's label", fields)
	}

	call := withReference("")
	call.Intervention.Titre = "invalide"
	errs, err := h.Validate(context.Background(), call)
	if err != nil || len(errs) != 1 || errs[0].Field != "titre" ||
		errs[0].Code != protocol.DefaultFieldErrorCode {
		t.Errorf("Validate = %+v, %v; want one error on titre", errs, err)
	}
}

func TestPluginLogsReachTheServerLog(t *testing.T) {
	t.Parallel()
	h, logs := startHost(t, declare(t, "behave", bin.behave))
	if _, err := h.ComputeFields(context.Background(), withReference("")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the plugin's log line", func() bool {
		for line := range strings.SplitSeq(logs.String(), "\n") {
			if strings.Contains(line, `"msg":"computing fields"`) &&
				strings.Contains(line, `"plugin":"behave"`) &&
				strings.Contains(line, `"level":"INFO"`) &&
				strings.Contains(line, `"intervention_id":123`) {
				return true
			}
		}
		return false
	})
}

func TestHostWithoutPluginsAnswersNothing(t *testing.T) {
	t.Parallel()
	h, _ := startHost(t)
	ctx := context.Background()
	veto, err := reasonOf(h.BeforeTransition(ctx, closing(1, "corrective", "haute", "")))
	errs, err2 := h.Validate(ctx, closing(1, "corrective", "haute", ""))
	fields, err3 := h.ComputeFields(ctx, closing(1, "corrective", "haute", ""))
	if veto != "" || errs != nil || fields != nil || errors.Join(err, err2, err3) != nil {
		t.Errorf("got %q %v %v %v", veto, errs, fields, errors.Join(err, err2, err3))
	}
}
