package module

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Registry holds modules by ID. The binary's standard set registers itself
// into Default from init functions; tests build their own registries so that
// test-only modules never leak into the product.
type Registry struct {
	mu      sync.RWMutex
	modules map[string]Module
}

// Default is the registry the erp binary reads. Modules add themselves to it
// with Register from their package's init function.
var Default = NewRegistry()

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{modules: make(map[string]Module)}
}

// Register adds m to the Default registry. It panics on a duplicate or
// malformed ID, since that is a programming error found at start-up.
func Register(m Module) {
	Default.MustAdd(m)
}

// MustAdd adds m to the registry and panics when its ID is empty, malformed
// or already taken.
func (r *Registry) MustAdd(m Module) {
	if err := r.Add(m); err != nil {
		panic(err)
	}
}

// Add adds m to the registry.
func (r *Registry) Add(m Module) error {
	id := m.Info().ID
	if !validID(id) {
		return fmt.Errorf("module ID %q must be lower-case letters, digits or _", id)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.modules[id]; dup {
		return fmt.Errorf("module %q is registered twice", id)
	}
	r.modules[id] = m
	return nil
}

// Get returns the module with the given ID.
func (r *Registry) Get(id string) (Module, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.modules[id]
	return m, ok
}

// IDs returns every registered ID in sorted order.
func (r *Registry) IDs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ids := make([]string, 0, len(r.modules))
	for id := range r.modules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Resolve returns the modules named in enabled, ordered so that each comes
// after everything it requires. A nil enabled list means every registered
// module. Unknown IDs, requirements that are not enabled and requirement
// cycles are errors that name the modules involved.
func (r *Registry) Resolve(enabled []string) ([]Module, error) {
	if enabled == nil {
		enabled = r.IDs()
	}
	set := make(map[string]Module, len(enabled))
	for _, id := range enabled {
		m, ok := r.Get(id)
		if !ok {
			return nil, fmt.Errorf("modules.enabled names %q, which is not a known module "+
				"(known: %s)", id, strings.Join(r.IDs(), ", "))
		}
		set[id] = m
	}
	if err := checkRequirements(set); err != nil {
		return nil, err
	}
	return sortByRequirement(set)
}

func checkRequirements(set map[string]Module) error {
	var problems []string
	for _, id := range sortedKeys(set) {
		for _, req := range set[id].Info().Requires {
			if _, ok := set[req]; !ok {
				problems = append(problems,
					fmt.Sprintf("module %q requires %q, which is not enabled", id, req))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// sortByRequirement is a depth-first topological sort. Visiting IDs in
// sorted order makes the result stable from one run to the next, which keeps
// migration order and the generated spec reproducible.
func sortByRequirement(set map[string]Module) ([]Module, error) {
	const (
		unvisited = iota
		visiting
		done
	)
	state := make(map[string]int, len(set))
	order := make([]Module, 0, len(set))
	var path []string

	var visit func(id string) error
	visit = func(id string) error {
		switch state[id] {
		case done:
			return nil
		case visiting:
			start := slices.Index(path, id)
			cycle := append(slices.Clone(path[start:]), id)
			return fmt.Errorf("module requirement cycle: %s", strings.Join(cycle, " -> "))
		}
		state[id] = visiting
		path = append(path, id)
		reqs := slices.Clone(set[id].Info().Requires)
		sort.Strings(reqs)
		for _, req := range reqs {
			if err := visit(req); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[id] = done
		order = append(order, set[id])
		return nil
	}

	for _, id := range sortedKeys(set) {
		if err := visit(id); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func sortedKeys(set map[string]Module) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func validID(id string) bool {
	if id == "" || id[0] < 'a' || id[0] > 'z' {
		return false
	}
	for _, c := range id {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
