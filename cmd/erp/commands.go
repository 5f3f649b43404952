package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/erp-interventions/erp/core/module"
)

func runServe(ctx context.Context, c *cli, args []string) error {
	fs := c.flagSet("serve", "erp serve [flags]")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	a, err := c.newApp()
	if err != nil {
		return err
	}
	if err := a.Open(ctx); err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}

func runMigrate(ctx context.Context, c *cli, args []string) error {
	fs := c.flagSet("migrate", "erp migrate up|down|status|unlock [flags]")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if err := fs.Parse(args); err != nil {
			return err
		}
		return errors.New("migrate needs an action: up, down, status or unlock")
	}
	action := args[0]
	if _, err := parse(fs, args[1:], 0); err != nil {
		return err
	}
	a, err := c.newApp()
	if err != nil {
		return err
	}
	if err := a.Open(ctx); err != nil {
		return err
	}
	defer a.Close()
	runner := a.Migrations()

	switch action {
	case "up", "down":
		run := runner.Up
		verb := "applied"
		if action == "down" {
			run, verb = runner.Down, "rolled back"
		}
		done, err := run(ctx)
		for _, m := range done {
			fmt.Fprintf(c.stdout, "%s %s %s_%s\n", verb, m.Module, m.Name, m.Comment)
		}
		if err != nil {
			return err
		}
		if len(done) == 0 {
			fmt.Fprintln(c.stdout, "nothing to do")
		}
		return nil
	case "status":
		st, err := runner.Status(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MODULE\tMIGRATION\tSTATE\tAPPLIED AT")
		for _, s := range st {
			state, at := "pending", ""
			if s.Applied {
				state, at = "applied", s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(tw, "%s\t%s_%s\t%s\t%s\n", s.Module, s.Name, s.Comment, state, at)
		}
		return tw.Flush()
	case "unlock":
		if err := runner.Unlock(ctx); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, "migration locks removed")
		return nil
	}
	return fmt.Errorf("unknown migrate action %q: want up, down, status or unlock", action)
}

func runOpenAPI(_ context.Context, c *cli, args []string) error {
	fs := c.flagSet("openapi", "erp openapi export [flags]")
	if len(args) == 0 || args[0] != "export" {
		if err := fs.Parse(args); err != nil {
			return err
		}
		return errors.New("openapi needs an action: export")
	}
	if _, err := parse(fs, args[1:], 0); err != nil {
		return err
	}
	a, err := c.newApp()
	if err != nil {
		return err
	}
	spec, err := a.Spec()
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(append(spec, '\n'))
	return err
}

func runConfig(_ context.Context, c *cli, args []string) error {
	fs := c.flagSet("config", "erp config print|validate [flags]")
	if len(args) == 0 || (args[0] != "print" && args[0] != "validate") {
		if err := fs.Parse(args); err != nil {
			return err
		}
		return errors.New("config needs an action: print or validate")
	}
	action := args[0]
	if _, err := parse(fs, args[1:], 0); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	if action == "validate" {
		src := cfg.SourceFile()
		if src == "" {
			src = "defaults and environment (no file)"
		}
		fmt.Fprintf(c.stdout, "configuration is valid: %s\n", src)
		return nil
	}
	out, err := cfg.YAML()
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(out)
	return err
}

func runModules(_ context.Context, c *cli, args []string) error {
	fs := c.flagSet("modules", "erp modules [flags]")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	reg := module.Default
	enabled := map[string]bool{}
	if mods, err := reg.Resolve(cfg.Modules.Enabled); err == nil {
		for _, m := range mods {
			enabled[m.Info().ID] = true
		}
	} else {
		fmt.Fprintln(c.stderr, "warning: "+oneLine(err))
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODULE\tENABLED\tREQUIRES\tSUMMARY")
	for _, id := range reg.IDs() {
		m, _ := reg.Get(id)
		info := m.Info()
		req := strings.Join(info.Requires, ",")
		if req == "" {
			req = "-"
		}
		on := "no"
		if enabled[id] {
			on = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", id, on, req, info.Summary)
	}
	return tw.Flush()
}

func runVersion(_ context.Context, c *cli, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(c.stdout, "Usage: erp version")
		return nil
	}
	fmt.Fprintln(c.stdout, "erp "+version)
	return nil
}
