package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/plugins/host"
)

// runPlugins lists the declared plugins or checks that each one starts.
// Both start every plugin briefly, since only a running plugin can say
// which hooks it serves, and stop them before returning.
func runPlugins(ctx context.Context, c *cli, args []string) error {
	const usage = "erp plugins list|check [flags]"
	fs := c.flagSet("plugins", usage)
	if len(args) == 0 || (args[0] != "list" && args[0] != "check") {
		if err := fs.Parse(args); err != nil {
			return err
		}
		return errors.New("plugins needs an action: list or check")
	}
	action := args[0]
	if _, err := parse(fs, args[1:], 0); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	if len(cfg.Plugins) == 0 {
		fmt.Fprintln(c.stdout, "no plugin is declared (configuration key plugins)")
		return nil
	}

	h, err := startPlugins(ctx, c, cfg)
	if err != nil {
		return err
	}
	defer stopPlugins(h, cfg)
	if action == "list" {
		return listPlugins(c.stdout, h.Status())
	}
	return checkPlugins(ctx, c.stdout, h)
}

// startPlugins starts a host whose log shows warnings and errors only,
// on standard error, so that the command's own output stays readable.
func startPlugins(ctx context.Context, c *cli, cfg *config.Config) (*host.Host, error) {
	level := max(cfg.Level(), slog.LevelWarn)
	log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: level}))
	h, err := host.New(cfg.Plugins, log)
	if err != nil {
		return nil, err
	}
	if err := h.Start(ctx); err != nil {
		return nil, err
	}
	return h, nil
}

func stopPlugins(h *host.Host, cfg *config.Config) {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.ShutdownTimeout)
	defer cancel()
	_ = h.Stop(ctx)
}

func listPlugins(w io.Writer, statuses []host.Status) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PLUGIN\tSTATE\tVERSION\tHOOKS\tCLIENTS\tPOLICY\tTIMEOUT\tERROR")
	for _, s := range statuses {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.State, dash(s.Version),
			hookList(s), clientList(s.Clients), s.Policy, s.Timeout, dash(s.Error))
	}
	return tw.Flush()
}

// checkPlugins health-checks every plugin and fails when one is not
// running or does not answer.
func checkPlugins(ctx context.Context, w io.Writer, h *host.Host) error {
	failed := 0
	statuses := h.Status()
	for _, s := range statuses {
		err := h.Ping(ctx, s.Name)
		if err != nil {
			failed++
			fmt.Fprintf(w, "%s: FAILED (%s): %s\n", s.Name, s.State, oneLine(err))
			continue
		}
		fmt.Fprintf(w, "%s: ok, version %s, hooks %s, started in %s\n", s.Name,
			dash(s.Version), hookList(s), s.StartTime.Round(time.Millisecond))
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d plugins failed the check", failed, len(statuses))
	}
	return nil
}

func hookList(s host.Status) string {
	names := make([]string, 0, len(s.Hooks))
	for _, h := range s.Hooks {
		names = append(names, string(h))
	}
	return dash(strings.Join(names, ","))
}

func clientList(ids []int64) string {
	if len(ids) == 0 {
		return "all"
	}
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		parts = append(parts, strconv.FormatInt(id, 10))
	}
	return strings.Join(parts, ",")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return oneLineText(s)
}

// oneLineText folds a multi-line message for a table cell.
func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }
