package interventions

import (
	"slices"
	"testing"
	"time"

	"github.com/erp-interventions/erp/core/auth"
)

func TestWorkflowTableIsWellFormed(t *testing.T) {
	t.Parallel()
	seen := map[Action]bool{}
	for _, s := range workflow {
		if seen[s.Action] {
			t.Errorf("action %s has two rows", s.Action)
		}
		seen[s.Action] = true
		if len(s.From) == 0 || !s.To.Valid() || s.Permission == "" || s.Event == "" ||
			s.Stamp == nil || s.Body == nil || s.OperationID == "" || s.Summary == "" {
			t.Errorf("row %s is incomplete: %+v", s.Action, s)
		}
		for _, f := range s.From {
			if !f.Valid() {
				t.Errorf("row %s starts from unknown statut %q", s.Action, f)
			}
		}
	}
}

func TestWorkflowFollowsTheIssue(t *testing.T) {
	t.Parallel()
	want := map[StatutIntervention][]Action{
		StatutOuverte:   {ActionAffecter, ActionAnnuler},
		StatutAffectee:  {ActionAffecter, ActionDemarrer, ActionAnnuler},
		StatutEnCours:   {ActionSuspendre, ActionCloturer},
		StatutEnAttente: {ActionReprendre, ActionAnnuler},
		StatutCloturee:  {ActionArchiver},
		StatutAnnulee:   {ActionArchiver},
		StatutArchivee:  {},
	}
	for _, st := range statuts {
		if got := allowedActions(st); !slices.Equal(got, want[st]) {
			t.Errorf("from %s: actions %v, want %v", st, got, want[st])
		}
	}
}

func TestOnlyWorkSetsTheEquipmentStatus(t *testing.T) {
	t.Parallel()
	want := map[Action]string{
		ActionDemarrer:  equipementEnMaintenance,
		ActionReprendre: equipementEnMaintenance,
		ActionCloturer:  equipementEnService,
	}
	for _, s := range workflow {
		if s.Equipement != want[s.Action] {
			t.Errorf("%s sets equipment %q, want %q", s.Action, s.Equipement, want[s.Action])
		}
	}
}

func TestWhoMayTakeEachStep(t *testing.T) {
	t.Parallel()
	grants, err := auth.NewGrants(nil)
	if err != nil {
		t.Fatal(err)
	}
	may := map[auth.Role][]Action{
		auth.RoleAdmin: {ActionAffecter, ActionDemarrer, ActionSuspendre, ActionReprendre,
			ActionCloturer, ActionAnnuler, ActionArchiver},
		auth.RoleResponsable: {ActionAffecter, ActionAnnuler, ActionArchiver},
		auth.RoleTechnicien: {ActionDemarrer, ActionSuspendre, ActionReprendre,
			ActionCloturer},
		auth.RoleClient: {ActionAnnuler},
	}
	for role, actions := range may {
		for _, s := range workflow {
			if got := grants.Allows(role, s.Permission); got != slices.Contains(actions, s.Action) {
				t.Errorf("%s may %s: %v", role, s.Action, got)
			}
		}
	}
}

func TestActorRules(t *testing.T) {
	t.Parallel()
	seven, eight := int64(7), int64(8)
	demarrer, _ := stepFor(ActionDemarrer)
	annuler, _ := stepFor(ActionAnnuler)
	tech := &auth.Principal{UserID: 1, Role: auth.RoleTechnicien}
	client := &auth.Principal{UserID: 2, Role: auth.RoleClient, ClientID: 3}
	admin := &auth.Principal{UserID: 4, Role: auth.RoleAdmin}
	cases := []struct {
		name string
		p    *auth.Principal
		sc   scope
		iv   InterventionOut
		s    step
		ok   bool
	}{
		{"AssignedTechnicianStarts", tech, scope{technicien: true, technicienID: 7},
			InterventionOut{TechnicienID: &seven}, demarrer, true},
		{"OtherTechnicianDoesNot", tech, scope{technicien: true, technicienID: 7},
			InterventionOut{TechnicienID: &eight}, demarrer, false},
		{"AdminActsForTheTechnician", admin, scope{},
			InterventionOut{TechnicienID: &eight}, demarrer, true},
		{"ClientCancelsWhileOpen", client, scope{clientID: 3},
			InterventionOut{Statut: StatutOuverte}, annuler, true},
		{"ClientCannotCancelOnceAssigned", client, scope{clientID: 3},
			InterventionOut{Statut: StatutAffectee}, annuler, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkActor(tc.p, tc.sc, &tc.iv, tc.s)
			if (err == nil) != tc.ok {
				t.Fatalf("checkActor = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestWorkingTimeLeavesOutTheWaits(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	iv := &InterventionOut{}
	in := transitionInput{Rapport: "Joint remplacé, essais concluants."}
	stampDemarrage(iv, in, t0)
	stampPause(iv, in, t0.Add(90*time.Minute))               // 90 min of work
	stampReprise(iv, in, t0.Add(5*time.Hour))                // 3 h 30 waiting for a part
	stampCloture(iv, in, t0.Add(5*time.Hour+30*time.Minute)) // 30 more
	iv.derive(t0.Add(24 * time.Hour))
	if iv.DureeMinutes == nil || *iv.DureeMinutes != 120 {
		t.Fatalf("duree_minutes = %v, want 120", iv.DureeMinutes)
	}
	if !iv.DateDebut.Equal(t0) || !iv.DateFin.Equal(t0.Add(330*time.Minute)) {
		t.Fatalf("date_debut %v, date_fin %v", iv.DateDebut, iv.DateFin)
	}
}

func TestWorkingTimeCountsTheCurrentPeriod(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	iv := &InterventionOut{}
	stampDemarrage(iv, transitionInput{}, t0)
	iv.derive(t0.Add(45 * time.Minute))
	if iv.DureeMinutes == nil || *iv.DureeMinutes != 45 {
		t.Fatalf("duree_minutes = %v, want 45", iv.DureeMinutes)
	}
}

func TestIfMatch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		header string
		weak   bool
		want   bool
	}{
		{`"3"`, false, true}, {`"2"`, false, false}, {`*`, false, true},
		{`"1", "3"`, false, true}, {`W/"3"`, false, false}, {`W/"3"`, true, true},
	}
	for _, tc := range cases {
		if got := matches(tc.header, 3, tc.weak); got != tc.want {
			t.Errorf("matches(%s, weak=%v) = %v", tc.header, tc.weak, got)
		}
	}
}

func TestPriorityRankSortsMostUrgentLast(t *testing.T) {
	t.Parallel()
	order := []PrioriteIntervention{PrioriteProgrammee, PrioriteBasse, PrioriteNormale,
		PrioriteHaute, PrioriteUrgente}
	for i := 1; i < len(order); i++ {
		if order[i-1].rang() >= order[i].rang() {
			t.Errorf("%s ranks %d, not below %s (%d)", order[i-1], order[i-1].rang(),
				order[i], order[i].rang())
		}
	}
}
