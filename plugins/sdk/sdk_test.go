package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pluginv1 "github.com/erp-interventions/erp/plugins/proto/erp/plugin/v1"
	"github.com/erp-interventions/erp/plugins/protocol"
)

func TestLoggerWritesWhatTheHostParses(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	newLogger(&buf).Warn("réservoir bas", "niveau", 3)

	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not JSON: %q", buf.String())
	}
	if line["@level"] != "warn" || line["@message"] != "réservoir bas" || line["niveau"] != 3.0 {
		t.Errorf("line = %v", line)
	}
	if _, err := time.Parse(hclogTime, line["@timestamp"].(string)); err != nil {
		t.Errorf("@timestamp does not parse as go-plugin expects: %v", err)
	}
}

type guard struct{ Base }

func (guard) BeforeTransition(_ context.Context, r *TransitionRequest) (Decision, error) {
	if r.Transition.Motif == "panic" {
		panic("boom")
	}
	if r.Criticite == "haute" {
		return Veto("non"), nil
	}
	return Allow(), nil
}

func TestServerAnnouncesAndServesOnlyItsHooks(t *testing.T) {
	t.Parallel()
	s := &server{p: guard{Base{Name: "g", Version: "2"}}}
	ctx := context.Background()

	d, err := s.Describe(ctx, &pluginv1.DescribeRequest{})
	if err != nil || d.GetName() != "g" || !slices.Equal(protocol.HooksFromProto(d.GetHooks()),
		[]protocol.Hook{protocol.HookBeforeTransition}) {
		t.Fatalf("Describe = %v, %v", d, err)
	}

	resp, err := s.BeforeTransition(ctx, &pluginv1.TransitionRequest{
		Context: &pluginv1.Context{Criticite: "haute"}})
	if err != nil || !resp.GetVeto() || resp.GetReason() != "non" {
		t.Errorf("BeforeTransition = %v, %v", resp, err)
	}

	_, err = s.ComputeFields(ctx, &pluginv1.ComputeRequest{})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("an unserved hook answered %v", err)
	}

	_, err = s.BeforeTransition(ctx, &pluginv1.TransitionRequest{
		Transition: &pluginv1.Transition{Motif: "panic"}})
	if status.Code(err) != codes.Internal {
		t.Errorf("a panicking hook answered %v, want Internal", err)
	}
}

func TestDecodeConfig(t *testing.T) {
	t.Parallel()
	r := &Request{Config: map[string]any{"rapport_min": 12.0, "prefix": "ACME"}}
	var s struct {
		RapportMin int    `json:"rapport_min"`
		Prefix     string `json:"prefix"`
	}
	if err := r.DecodeConfig(&s); err != nil || s.RapportMin != 12 || s.Prefix != "ACME" {
		t.Errorf("DecodeConfig = %+v, %v", s, err)
	}
}
