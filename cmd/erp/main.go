// Command erp is the ERP Interventions server and its administration tool.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	_ "github.com/erp-interventions/erp/modules/all" // the standard modules
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand of erp.
type command struct {
	name    string
	summary string
	usage   string
	run     func(ctx context.Context, env *cli, args []string) error
}

// cli carries what every command shares: where to write and how the
// configuration was asked for.
type cli struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	environ        []string
	global         globalFlags
	// logBuf buffers the process log; main flushes it on the way out.
	logBuf *bufferedLog
}

var commands = []command{
	{"serve", "Serve the API (migrating first when database.auto_migrate is on)",
		"erp serve [flags]", runServe},
	{"worker", "Work background jobs only, without serving HTTP", "erp worker [flags]",
		runWorker},
	{"jobs", "List background jobs or retry one", "erp jobs list|retry ID [flags]", runJobs},
	{"migrate", "Apply, roll back or inspect database migrations",
		"erp migrate up|down|status|unlock [flags]", runMigrate},
	{"openapi", "Print the OpenAPI document", "erp openapi export [flags]", runOpenAPI},
	{"config", "Show or check the configuration",
		"erp config print|validate [flags]", runConfig},
	{"users", "Create a user account", usersUsage, runUsers},
	{"modules", "List registered modules, whether enabled, and their requirements",
		"erp modules [flags]", runModules},
	{"plugins", "List or check the declared plugins", "erp plugins list|check [flags]", runPlugins},
	{"version", "Print the version", "erp version", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	tuneGC()
	c := &cli{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, environ: os.Environ()}
	err := c.main(ctx, os.Args[1:])
	if c.logBuf != nil {
		c.logBuf.Close()
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "erp: "+oneLine(err))
		os.Exit(1)
	}
}

func (c *cli) main(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		c.usage()
		if len(args) == 0 {
			return errors.New("no command given")
		}
		return nil
	}
	for _, cmd := range commands {
		if cmd.name == args[0] {
			return cmd.run(ctx, c, args[1:])
		}
	}
	return fmt.Errorf("unknown command %q (see erp --help)", args[0])
}

func (c *cli) usage() {
	fmt.Fprintln(c.stdout, "ERP Interventions server and administration tool.")
	fmt.Fprintln(c.stdout, "\nUsage: erp <command> [flags]\n\nCommands:")
	for _, cmd := range commands {
		fmt.Fprintf(c.stdout, "  %-9s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(c.stdout, "\nRun erp <command> --help for a command's flags.")
}

// tuneGC trades memory for CPU: a server's live heap is small, so the
// collector's default (collect when the heap doubles) runs it very often
// under load. Collecting at five times the live heap cuts that work; GOGC, when
// set, still wins.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// oneLine folds a multi-line error into one line for the terminal.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
