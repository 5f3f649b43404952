package interventions

import (
	"time"

	"github.com/erp-interventions/erp/core/auth"
)

// Action is a workflow step, named as the last segment of its URL
// (POST /interventions/{id}/<action>).
type Action string

// The workflow's actions.
const (
	ActionAffecter  Action = "affecter"
	ActionDemarrer  Action = "demarrer"
	ActionSuspendre Action = "suspendre"
	ActionReprendre Action = "reprendre"
	ActionCloturer  Action = "cloturer"
	ActionAnnuler   Action = "annuler"
	ActionArchiver  Action = "archiver"
)

// Equipment statuses the workflow sets, as the equipements module names them.
const (
	equipementEnMaintenance = "en_maintenance"
	equipementEnService     = "en_service"
)

// actor says who may take a step beyond holding its permission.
type actor int

const (
	// anyHolder: every caller holding the permission (responsables, admins).
	anyHolder actor = iota
	// assignedTechnicien: a technician only on an intervention assigned to
	// them. Other holders of the permission (admins) act for the technician.
	assignedTechnicien
	// clientWhileOpen: a client user only while the intervention is ouverte
	// (scoping already limits them to their own organisation's).
	clientWhileOpen
)

// step is one row of the workflow table.
type step struct {
	Action Action
	From   []StatutIntervention
	To     StatutIntervention
	// Permission is checked by the guard before the handler runs; Actor
	// narrows it with the intervention's data.
	Permission auth.Permission
	Actor      actor
	// Body returns a new value of the step's request type, which says
	// (and checks) what the step needs: technicien_id, motif, rapport.
	Body func() transitionBody
	// Equipement is the status the step puts the equipment in, through the
	// equipements module and in the same transaction; empty for none. This
	// column is the one place that rule lives.
	Equipement string
	Event      string
	// Stamp applies the step's dates and fields to the intervention.
	Stamp func(iv *InterventionOut, in transitionInput, now time.Time)

	// OperationID and Summary describe the step's HTTP operation.
	OperationID string
	Summary     string
}

// workflow is the intervention state machine: every transition the API
// offers, who may take it and what it changes. Handlers, routes, the 409
// answers and the documentation are all derived from it.
//
// Limitation: the equipment rule looks at one intervention at a time.
// Closing an intervention puts its equipment en_service even when another
// intervention on it is still en_cours, and cancelling a suspended one
// leaves the equipment en_maintenance; a responsable then sets the
// equipment's status by hand.
var workflow = []step{
	{Action: ActionAffecter, From: []StatutIntervention{StatutOuverte, StatutAffectee},
		To: StatutAffectee, Permission: auth.InterventionsAssign, Actor: anyHolder,
		Body: newBody[AffectationRequest], Event: "intervention.assigned", Stamp: stampAffectation,
		OperationID: "assign_intervention",
		Summary:     "Affecter (ou réaffecter) une intervention à un technicien"},
	{Action: ActionDemarrer, From: []StatutIntervention{StatutAffectee},
		To: StatutEnCours, Permission: auth.InterventionsWork, Actor: assignedTechnicien,
		Body: newBody[TransitionRequest], Equipement: equipementEnMaintenance,
		Event: "intervention.started",
		Stamp: stampDemarrage, OperationID: "start_intervention",
		Summary: "Démarrer les travaux d'une intervention"},
	{Action: ActionSuspendre, From: []StatutIntervention{StatutEnCours},
		To: StatutEnAttente, Permission: auth.InterventionsWork, Actor: assignedTechnicien,
		Body: newBody[SuspensionRequest], Event: "intervention.suspended", Stamp: stampPause,
		OperationID: "suspend_intervention", Summary: "Mettre une intervention en attente"},
	{Action: ActionReprendre, From: []StatutIntervention{StatutEnAttente},
		To: StatutEnCours, Permission: auth.InterventionsWork, Actor: assignedTechnicien,
		Body: newBody[TransitionRequest], Equipement: equipementEnMaintenance,
		Event: "intervention.resumed",
		Stamp: stampReprise, OperationID: "resume_intervention",
		Summary: "Reprendre une intervention en attente"},
	{Action: ActionCloturer, From: []StatutIntervention{StatutEnCours},
		To: StatutCloturee, Permission: auth.InterventionsWork, Actor: assignedTechnicien,
		Body: newBody[ClotureRequest], Equipement: equipementEnService, Event: "intervention.closed",
		Stamp: stampCloture, OperationID: "close_intervention",
		Summary: "Clôturer une intervention avec son rapport"},
	{Action: ActionAnnuler,
		From: []StatutIntervention{StatutOuverte, StatutAffectee, StatutEnAttente},
		To:   StatutAnnulee, Permission: auth.InterventionsCancel, Actor: clientWhileOpen,
		Body: newBody[AnnulationRequest], Event: "intervention.cancelled", Stamp: stampNothing,
		OperationID: "cancel_intervention", Summary: "Annuler une intervention"},
	{Action: ActionArchiver, From: []StatutIntervention{StatutCloturee, StatutAnnulee},
		To: StatutArchivee, Permission: auth.InterventionsArchive, Actor: anyHolder,
		Body: newBody[TransitionRequest], Event: "intervention.archived", Stamp: stampNothing,
		OperationID: "archive_intervention",
		Summary:     "Archiver une intervention clôturée ou annulée"},
}

// stepFor returns the row of action.
func stepFor(a Action) (step, bool) {
	for _, s := range workflow {
		if s.Action == a {
			return s, true
		}
	}
	return step{}, false
}

// allows reports whether the step may start from statut.
func (s step) allows(statut StatutIntervention) bool {
	return contains(s.From, statut)
}

// allowedActions lists, in table order, the actions possible from statut.
func allowedActions(statut StatutIntervention) []Action {
	out := []Action{}
	for _, s := range workflow {
		if s.allows(statut) {
			out = append(out, s.Action)
		}
	}
	return out
}

// editable reports whether PATCH may change an intervention in statut: once
// closed, cancelled or archived, its record is final.
func editable(statut StatutIntervention) bool {
	return statut != StatutCloturee && statut != StatutAnnulee && statut != StatutArchivee
}

func stampAffectation(iv *InterventionOut, in transitionInput, now time.Time) {
	id := in.TechnicienID
	iv.TechnicienID = &id
	iv.DateAffectation = &now
	if in.DatePlanifiee != nil {
		t := in.DatePlanifiee.UTC()
		iv.DatePlanifiee = &t
	}
}

func stampDemarrage(iv *InterventionOut, _ transitionInput, now time.Time) {
	if iv.DateDebut == nil {
		iv.DateDebut = &now
	}
	iv.PeriodeDebut = &now
}

func stampReprise(iv *InterventionOut, _ transitionInput, now time.Time) {
	iv.PeriodeDebut = &now
}

// stampPause ends the current working period, adding it to the time worked.
func stampPause(iv *InterventionOut, _ transitionInput, now time.Time) {
	if iv.PeriodeDebut != nil {
		iv.TravailSecondes += int64(now.Sub(*iv.PeriodeDebut).Seconds())
	}
	iv.PeriodeDebut = nil
}

func stampCloture(iv *InterventionOut, in transitionInput, now time.Time) {
	stampPause(iv, in, now)
	iv.DateFin = &now
	r := in.Rapport
	iv.Rapport = &r
}

func stampNothing(*InterventionOut, transitionInput, time.Time) {}
