package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"

	"github.com/erp-interventions/erp/core/db"
)

// Run is what `erp serve` does once the app is open: migrate when
// auto_migrate is on, build the HTTP surface, start the modules and (with
// jobs.serve_workers) the job workers, listen, and on ctx's end shut down
// gracefully: stop taking connections, let in-flight requests finish within
// http.shutdown_timeout, then stop the workers and the modules.
func (a *App) Run(ctx context.Context) error {
	if err := a.autoMigrate(ctx); err != nil {
		return err
	}
	handler, err := a.Handler()
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", a.Config.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.HTTP.Addr, err)
	}
	if err := a.Start(ctx); err != nil {
		_ = ln.Close()
		return err
	}
	// Start-up (building the spec, migrating, provisioning) leaves garbage
	// that would otherwise sit in memory until the heap grows enough to
	// trigger a collection; collect it once and give the memory back.
	debug.FreeOSMemory()
	return a.serve(ctx, ln, handler)
}

func (a *App) serve(ctx context.Context, ln net.Listener, handler http.Handler) error {
	h := a.Config.HTTP
	srv := &http.Server{
		Handler:           handler,
		ReadTimeout:       h.ReadTimeout,
		ReadHeaderTimeout: h.ReadHeaderTimeout,
		WriteTimeout:      h.WriteTimeout,
		IdleTimeout:       h.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	base := "http://" + displayAddr(ln.Addr().String())
	a.Log.Info("serving API", slog.String("api", base+"/api/v1"),
		slog.String("docs", base+"/docs"), slog.String("redoc", base+"/redoc"),
		slog.String("database", db.Describe(a.Config.Database.URL)))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		a.Log.Info("shutting down", slog.Duration("grace", h.ShutdownTimeout))
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.ShutdownTimeout)
		defer cancel()
		serveErr = srv.Shutdown(sctx)
		<-errc
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.stopTimeout())
	defer cancel()
	return errors.Join(serveErr, a.Stop(stopCtx))
}

// displayAddr turns a listen address into one a browser can open:
// 127.0.0.1:8000 stays, 0.0.0.0:8000 and [::]:8000 become localhost:8000.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
