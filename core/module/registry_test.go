package module_test

import (
	"strings"
	"testing"

	"github.com/erp-interventions/erp/core/module"
)

type stub struct{ info module.Info }

func (s stub) Info() module.Info { return s.info }

func registry(t *testing.T, mods ...module.Info) *module.Registry {
	t.Helper()
	r := module.NewRegistry()
	for _, m := range mods {
		if err := r.Add(stub{m}); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func ids(mods []module.Module) string {
	var out []string
	for _, m := range mods {
		out = append(out, m.Info().ID)
	}
	return strings.Join(out, ",")
}

func TestResolveOrdersByRequirement(t *testing.T) {
	t.Parallel()
	r := registry(t,
		module.Info{ID: "interventions", Requires: []string{"equipements", "users"}},
		module.Info{ID: "equipements", Requires: []string{"clients"}},
		module.Info{ID: "clients", Requires: []string{"users"}},
		module.Info{ID: "users", Requires: []string{"auth"}},
		module.Info{ID: "auth"},
	)
	mods, err := r.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(mods), "auth,users,clients,equipements,interventions"; got != want {
		t.Fatalf("order = %s, want %s", got, want)
	}
}

func TestResolveTakesOnlyTheEnabledModules(t *testing.T) {
	t.Parallel()
	r := registry(t, module.Info{ID: "a"}, module.Info{ID: "b", Requires: []string{"a"}},
		module.Info{ID: "c"})
	mods, err := r.Resolve([]string{"b", "a"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(mods); got != "a,b" {
		t.Fatalf("order = %s, want a,b", got)
	}
}

func TestResolveRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		mods    []module.Info
		enabled []string
		want    []string
	}{
		{"ACycleNamingEveryModuleInIt",
			[]module.Info{{ID: "a", Requires: []string{"b"}}, {ID: "b", Requires: []string{"c"}},
				{ID: "c", Requires: []string{"a"}}},
			nil, []string{"cycle", "a -> b -> c -> a"}},
		{"ARequirementThatIsNotEnabled",
			[]module.Info{{ID: "a"}, {ID: "b", Requires: []string{"a"}}},
			[]string{"b"}, []string{`module "b" requires "a", which is not enabled`}},
		{"ARequirementThatDoesNotExist",
			[]module.Info{{ID: "b", Requires: []string{"ghost"}}},
			nil, []string{`"b" requires "ghost"`}},
		{"AnUnknownEnabledModule",
			[]module.Info{{ID: "a"}},
			[]string{"a", "nope"}, []string{`"nope"`, "known: a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := registry(t, tc.mods...).Resolve(tc.enabled)
			if err == nil {
				t.Fatal("Resolve succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestAddRefusesDuplicatesAndBadIDs(t *testing.T) {
	t.Parallel()
	r := registry(t, module.Info{ID: "a"})
	if err := r.Add(stub{module.Info{ID: "a"}}); err == nil {
		t.Error("duplicate ID accepted")
	}
	for _, id := range []string{"", "Auth", "9x", "a-b"} {
		if err := r.Add(stub{module.Info{ID: id}}); err == nil {
			t.Errorf("ID %q accepted", id)
		}
	}
}

func TestServices(t *testing.T) {
	t.Parallel()
	s := module.NewServices()
	if err := s.Provide("clock", 42); err != nil {
		t.Fatal(err)
	}
	if err := s.Provide("clock", 43); err == nil {
		t.Error("second Provide of one name accepted")
	}
	if v, err := module.Service[int](s, "clock"); err != nil || v != 42 {
		t.Errorf("Service = %v, %v", v, err)
	}
	if _, err := module.Service[string](s, "clock"); err == nil {
		t.Error("wrong type accepted")
	}
	if _, err := module.Service[int](s, "missing"); err == nil ||
		!strings.Contains(err.Error(), "missing") {
		t.Errorf("missing service error = %v", err)
	}
}
