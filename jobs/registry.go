package jobs

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/riverqueue/river"
)

// Registry collects the workers and periodic jobs of the enabled modules
// before the workers start. The kernel hands each module a view of it named
// after the module (ForModule), so a problem such as a kind registered twice
// names the module that caused it.
type Registry struct {
	shared *registryState
	module string
}

type registryState struct {
	mu       sync.Mutex
	workers  *river.Workers
	periodic []*river.PeriodicJob
	kinds    map[string]string // kind → module
	errs     []error
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{shared: &registryState{
		workers: river.NewWorkers(),
		kinds:   map[string]string{},
	}}
}

// ForModule returns a view of r that records what it registers as module's.
func (r *Registry) ForModule(module string) *Registry {
	return &Registry{shared: r.shared, module: module}
}

// AddWorker registers w as the worker of the job kind T. Registering a kind
// twice is recorded as an error that Err reports.
func AddWorker[T river.JobArgs](r *Registry, w river.Worker[T]) {
	s := r.shared
	s.mu.Lock()
	defer s.mu.Unlock()

	var args T
	kind := args.Kind()
	if owner, ok := s.kinds[kind]; ok {
		s.errs = append(s.errs, fmt.Errorf("module %q: job kind %q is already registered "+
			"by module %q", r.module, kind, owner))
		return
	}
	if err := river.AddWorkerSafely(s.workers, w); err != nil {
		s.errs = append(s.errs, fmt.Errorf("module %q: add worker for %q: %w",
			r.module, kind, err))
		return
	}
	s.kinds[kind] = r.module
}

// AddPeriodic schedules job. Only the elected leader among the worker
// processes enqueues periodic jobs, so every process registers all of them;
// give each an ID (river.PeriodicJobOpts.ID) so schedules survive restarts.
func (r *Registry) AddPeriodic(job *river.PeriodicJob) {
	s := r.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	s.periodic = append(s.periodic, job)
}

// Kinds returns the registered job kinds, sorted.
func (r *Registry) Kinds() []string {
	s := r.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.kinds))
	for k := range s.kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Module returns the module that registered kind, or "" when none did.
func (r *Registry) Module(kind string) string {
	s := r.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kinds[kind]
}

// Err returns every registration problem, or nil.
func (r *Registry) Err() error {
	s := r.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.errs...)
}

// empty reports whether no worker was registered.
func (r *Registry) empty() bool {
	s := r.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.kinds) == 0
}

func (r *Registry) parts() (*river.Workers, []*river.PeriodicJob) {
	s := r.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.workers, slices.Clone(s.periodic)
}
