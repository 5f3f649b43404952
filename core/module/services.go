package module

import (
	"fmt"
	"sync"
)

// Services is the small directory through which modules share behaviour
// without importing each other: a module publishes a value under a name
// during provisioning, and a module that requires it looks it up in its own
// provisioning, which the kernel runs later.
type Services struct {
	mu     sync.RWMutex
	values map[string]any
}

// NewServices returns an empty directory.
func NewServices() *Services {
	return &Services{values: make(map[string]any)}
}

// Provide publishes v under name. Publishing a name twice is an error.
func (s *Services) Provide(name string, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.values[name]; dup {
		return fmt.Errorf("service %q is provided twice", name)
	}
	s.values[name] = v
	return nil
}

// Lookup returns the value published under name, if any.
func (s *Services) Lookup(name string) (any, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.values[name]
	return v, ok
}

// Service returns the value published under name as a T, or an error naming
// what is missing or of the wrong type.
func Service[T any](s *Services, name string) (T, error) {
	var zero T
	v, ok := s.Lookup(name)
	if !ok {
		return zero, fmt.Errorf("service %q is not provided; is the module that provides "+
			"it enabled and listed in Requires?", name)
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("service %q is a %T, not a %T", name, v, zero)
	}
	return t, nil
}
