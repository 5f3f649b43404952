package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/erp-interventions/erp/core/app"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/modules/users"
)

const usersUsage = "erp users create --email ADDRESS --role ROLE [--nom NOM] [--prenom PRENOM] " +
	"[--client-id ID] [--password-stdin] [flags]"

// userFlags are the options of `erp users create`.
type userFlags struct {
	email, role, nom, prenom string
	clientID                 int64
	passwordStdin            bool
}

// runUsers creates an account from the command line, typically the first
// administrator of a production database, where nothing is seeded. Pending
// migrations are applied first when database.auto_migrate is on (the dev
// default); otherwise the command asks for `erp migrate up`, as serve would.
//
// Limitation: the audit entry of an account created here names no acting
// user and no request id, only the action.
func runUsers(ctx context.Context, c *cli, args []string) error {
	fs := c.flagSet("users", usersUsage)
	var f userFlags
	fs.StringVar(&f.email, "email", "", "e-mail address (required)")
	fs.StringVar(&f.role, "role", "", "admin, responsable, technicien or client (required)")
	fs.StringVar(&f.nom, "nom", "", "last name (default: the part of the address before @)")
	fs.StringVar(&f.prenom, "prenom", "", "first name (default: same as --nom)")
	fs.Int64Var(&f.clientID, "client-id", 0, "client organisation, required for role client")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false,
		"read the password from the first line of standard input instead of a prompt")
	if len(args) == 0 || args[0] != "create" {
		if err := fs.Parse(args); err != nil {
			return err
		}
		return errors.New("users needs an action: create")
	}
	if _, err := parse(fs, args[1:], 0); err != nil {
		return err
	}
	if f.email == "" || f.role == "" {
		return errors.New("users create needs --email and --role")
	}
	password, err := c.readPassword(f.passwordStdin)
	if err != nil {
		return err
	}
	return c.createUser(ctx, f, password)
}

func (c *cli) createUser(ctx context.Context, f userFlags, password string) error {
	a, err := c.newApp()
	if err != nil {
		return err
	}
	if err := a.Open(ctx); err != nil {
		return err
	}
	defer a.Close()
	if err := migrateIfAllowed(ctx, a); err != nil {
		return err
	}
	svc, err := module.Service[*users.Service](a.Services, users.ServiceName)
	if err != nil {
		return err
	}
	u, err := svc.Create(ctx, f.userCreate(password))
	if err != nil {
		return describeRefusal(err)
	}
	fmt.Fprintf(c.stdout, "created user %d <%s> with role %s\n", u.ID, u.Email, u.Role)
	return nil
}

// migrateIfAllowed brings the schema up to date when auto_migrate is on,
// and otherwise refuses to write into an outdated one.
func migrateIfAllowed(ctx context.Context, a *app.App) error {
	runner := a.Migrations()
	pending, err := runner.Pending(ctx)
	if err != nil || pending == 0 {
		return err
	}
	if !a.Config.Database.AutoMigrate {
		return fmt.Errorf("the database has %d pending migrations; run `erp migrate up` "+
			"first (or set database.auto_migrate)", pending)
	}
	_, err = runner.Up(ctx)
	return err
}

func (f userFlags) userCreate(password string) users.UserCreate {
	nom := f.nom
	if nom == "" {
		nom, _, _ = strings.Cut(f.email, "@")
	}
	prenom := f.prenom
	if prenom == "" {
		prenom = nom
	}
	in := users.UserCreate{Email: f.email, Nom: nom, Prenom: prenom,
		Role: users.UserRole(f.role), Password: password}
	if f.clientID != 0 {
		in.ClientID = &f.clientID
	}
	return in
}

// readPassword takes the password from standard input's first line, or
// from a prompt that does not echo, asked twice.
func (c *cli) readPassword(fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from standard input: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	file, ok := c.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(file.Fd())) {
		return "", errors.New("standard input is not a terminal: pass --password-stdin " +
			"and pipe the password in")
	}
	first, err := c.prompt(file, "Password: ")
	if err != nil {
		return "", err
	}
	again, err := c.prompt(file, "Password (again): ")
	if err != nil {
		return "", err
	}
	if first != again {
		return "", errors.New("the two passwords differ")
	}
	return first, nil
}

func (c *cli) prompt(file *os.File, label string) (string, error) {
	fmt.Fprint(c.stderr, label)
	b, err := term.ReadPassword(int(file.Fd()))
	fmt.Fprintln(c.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return string(b), nil
}

// describeRefusal turns an API error into a message naming each bad flag.
func describeRefusal(err error) error {
	var e *httpx.Error
	if !errors.As(err, &e) || e.Status >= 500 {
		return err
	}
	msgs := []string{e.Detail}
	for _, f := range e.Fields {
		name := strings.ReplaceAll(f.Loc[len(f.Loc)-1], "_", "-")
		msgs = append(msgs, "--"+name+": "+f.Msg)
	}
	return errors.New(strings.Join(msgs, "; "))
}
