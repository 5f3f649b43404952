package protocol

import (
	"encoding/json"
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pluginv1 "github.com/erp-interventions/erp/plugins/proto/erp/plugin/v1"
)

// Intervention is an intervention as plugins see it: the fields of the
// contract's InterventionOut and the free extensions object.
type Intervention struct {
	ID           int64  `json:"id"`
	EquipementID int64  `json:"equipement_id"`
	TechnicienID *int64 `json:"technicien_id"`
	ClientID     int64  `json:"client_id"`
	// TypeIntervention is corrective, preventive, ameliorative or
	// diagnostic.
	TypeIntervention string `json:"type_intervention"`
	// Statut is ouverte, affectee, en_cours, en_attente, cloturee, annulee
	// or archivee.
	Statut string `json:"statut"`
	// Priorite is urgente, haute, normale, basse or programmee.
	Priorite      string     `json:"priorite"`
	Urgence       bool       `json:"urgence"`
	Titre         string     `json:"titre"`
	Description   string     `json:"description"`
	DateCreation  time.Time  `json:"date_creation"`
	DatePlanifiee *time.Time `json:"date_planifiee"`
	// Extensions is the intervention's JSON object of extra fields, where
	// computed fields are stored. Numbers arrive as float64.
	Extensions map[string]any `json:"extensions"`
}

// Transition is one workflow step: the action, the statuses before and
// after it, and the motif or rapport the user gave.
type Transition struct {
	Action  string `json:"action"`
	From    string `json:"from"`
	To      string `json:"to"`
	Motif   string `json:"motif"`
	Rapport string `json:"rapport"`
}

// FieldError is one field a plugin refuses: its JSON name (titre,
// extensions.reference_client), a message for the user and a short code.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// DefaultFieldErrorCode is the code of a FieldError that gave none.
const DefaultFieldErrorCode = "plugin_validation"

// InterventionToProto converts iv for the wire.
func InterventionToProto(iv Intervention) (*pluginv1.Intervention, error) {
	ext, err := StructFromMap(iv.Extensions)
	if err != nil {
		return nil, fmt.Errorf("convert extensions: %w", err)
	}
	out := &pluginv1.Intervention{
		Id:               iv.ID,
		EquipementId:     iv.EquipementID,
		TechnicienId:     iv.TechnicienID,
		ClientId:         iv.ClientID,
		TypeIntervention: iv.TypeIntervention,
		Statut:           iv.Statut,
		Priorite:         iv.Priorite,
		Urgence:          iv.Urgence,
		Titre:            iv.Titre,
		Description:      iv.Description,
		Extensions:       ext,
	}
	if !iv.DateCreation.IsZero() {
		out.DateCreation = timestamppb.New(iv.DateCreation)
	}
	if iv.DatePlanifiee != nil {
		out.DatePlanifiee = timestamppb.New(*iv.DatePlanifiee)
	}
	return out, nil
}

// InterventionFromProto converts a wire intervention; a nil one gives the
// zero Intervention. Times are in UTC.
func InterventionFromProto(p *pluginv1.Intervention) Intervention {
	if p == nil {
		return Intervention{}
	}
	iv := Intervention{
		ID:               p.GetId(),
		EquipementID:     p.GetEquipementId(),
		TechnicienID:     p.TechnicienId,
		ClientID:         p.GetClientId(),
		TypeIntervention: p.GetTypeIntervention(),
		Statut:           p.GetStatut(),
		Priorite:         p.GetPriorite(),
		Urgence:          p.GetUrgence(),
		Titre:            p.GetTitre(),
		Description:      p.GetDescription(),
		Extensions:       MapFromStruct(p.GetExtensions()),
	}
	if p.DateCreation != nil {
		iv.DateCreation = p.DateCreation.AsTime()
	}
	if p.DatePlanifiee != nil {
		t := p.DatePlanifiee.AsTime()
		iv.DatePlanifiee = &t
	}
	return iv
}

// TransitionToProto converts t for the wire.
func TransitionToProto(t Transition) *pluginv1.Transition {
	return &pluginv1.Transition{
		Action: t.Action, From: t.From, To: t.To, Motif: t.Motif, Rapport: t.Rapport,
	}
}

// TransitionFromProto converts a wire transition; nil gives the zero value.
func TransitionFromProto(p *pluginv1.Transition) Transition {
	return Transition{
		Action:  p.GetAction(),
		From:    p.GetFrom(),
		To:      p.GetTo(),
		Motif:   p.GetMotif(),
		Rapport: p.GetRapport(),
	}
}

// FieldErrorsToProto converts field errors for the wire.
func FieldErrorsToProto(errs []FieldError) []*pluginv1.FieldError {
	out := make([]*pluginv1.FieldError, 0, len(errs))
	for _, e := range errs {
		out = append(out, &pluginv1.FieldError{Field: e.Field, Message: e.Message, Code: e.Code})
	}
	return out
}

// FieldErrorsFromProto converts wire field errors, giving each a code.
func FieldErrorsFromProto(errs []*pluginv1.FieldError) []FieldError {
	out := make([]FieldError, 0, len(errs))
	for _, e := range errs {
		code := e.GetCode()
		if code == "" {
			code = DefaultFieldErrorCode
		}
		out = append(out, FieldError{Field: e.GetField(), Message: e.GetMessage(), Code: code})
	}
	return out
}

// StructFromMap converts a JSON object for the wire. Values pass through
// encoding/json first, so any value that marshals to JSON is accepted
// (times become RFC 3339 strings, integers become numbers). A nil map
// gives a nil Struct.
func StructFromMap(m map[string]any) (*structpb.Struct, error) {
	if m == nil {
		return nil, nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode JSON object: %w", err)
	}
	var plain map[string]any
	if err := json.Unmarshal(raw, &plain); err != nil {
		return nil, fmt.Errorf("decode JSON object: %w", err)
	}
	s, err := structpb.NewStruct(plain)
	if err != nil {
		return nil, fmt.Errorf("build protobuf Struct: %w", err)
	}
	return s, nil
}

// MapFromStruct converts a wire JSON object; nil gives nil. Numbers become
// float64, as encoding/json would give.
func MapFromStruct(s *structpb.Struct) map[string]any {
	if s == nil {
		return nil
	}
	return s.AsMap()
}
