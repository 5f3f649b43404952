package jobs

import (
	"context"
	"fmt"
	"net/http"

	"riverqueue.com/riverui"
)

// UIPath is where the kernel mounts River's web UI.
const UIPath = "/admin/jobs"

// uiHandler is River's UI with the cancel of its background work.
type uiHandler struct {
	handler http.Handler
	cancel  context.CancelFunc
}

// UI returns River's web UI and its JSON API, served under UIPath. River UI
// (riverui v0.22) works on both of our databases: it picks its SQLite or
// PostgreSQL queries from the driver. It has no authentication of its own:
// the caller must put it behind one. Its background work (count caches)
// runs until Close.
func (c *Client) UI() (http.Handler, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ui != nil {
		return c.ui.handler, nil
	}
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(c.admin, nil),
		Logger:    c.log,
		Prefix:    UIPath,
	})
	if err != nil {
		return nil, fmt.Errorf("create River UI: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := h.Start(ctx); err != nil {
		cancel()
		return nil, fmt.Errorf("start River UI: %w", err)
	}
	c.ui = &uiHandler{handler: h, cancel: cancel}
	return h, nil
}
