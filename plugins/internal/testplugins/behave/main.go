// Command behave is a test-only plugin whose behaviour the tests choose
// through the transition's motif:
//
//	sleep:DURATION  sleep, then allow
//	exit            end the process in the middle of the call
//	panic           panic inside the hook
//	veto:REASON     veto with REASON
//
// ComputeFields returns the process id and the plugin config's label, so
// that tests can tell a restarted process and check the config reached it.
// ValidateIntervention refuses the titre "invalide". AfterTransition
// appends "<intervention id> <action> <statut>" to the file named by the
// config's record key, so that tests can see the job reach the plugin.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/erp-interventions/erp/plugins/sdk"
)

type plugin struct{ sdk.Base }

func (plugin) BeforeTransition(_ context.Context, r *sdk.TransitionRequest) (
	sdk.Decision, error) {
	motif := r.Transition.Motif
	switch {
	case strings.HasPrefix(motif, "sleep:"):
		d, err := time.ParseDuration(strings.TrimPrefix(motif, "sleep:"))
		if err != nil {
			return sdk.Decision{}, err
		}
		time.Sleep(d)
	case motif == "exit":
		os.Exit(3)
	case motif == "panic":
		panic("asked to panic")
	case strings.HasPrefix(motif, "veto:"):
		return sdk.Veto(strings.TrimPrefix(motif, "veto:")), nil
	}
	return sdk.Allow(), nil
}

func (plugin) AfterTransition(_ context.Context, r *sdk.TransitionRequest) error {
	path, _ := r.Config["record"].(string)
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%d %s %s\n", r.Intervention.ID, r.Transition.Action,
		r.Intervention.Statut)
	return errors.Join(err, f.Close())
}

func (plugin) ValidateIntervention(_ context.Context, r *sdk.Request) ([]sdk.FieldError, error) {
	if r.Intervention.Titre == "invalide" {
		return []sdk.FieldError{{Field: "titre", Message: "titre refusé par le test"}}, nil
	}
	return nil, nil
}

func (plugin) ComputeFields(_ context.Context, r *sdk.Request) (map[string]any, error) {
	sdk.Logger().Info("computing fields", slog.Int64("intervention_id", r.Intervention.ID))
	return map[string]any{"pid": os.Getpid(), "label": r.Config["label"]}, nil
}

func main() {
	sdk.Serve(plugin{sdk.Base{Name: "behave", Version: "0.0.1"}})
}
