package main

import (
	"context"
	"fmt"
	"io"

	"anken/internal/config"
)

func agencyCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("agency: want create SLUG, key SLUG or list")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("agency " + sub)
	name := fs.String("name", "", "display name (create)")
	// Flags may come before or after the slug: agency create SLUG --name …
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create", "key":
		if len(pos) != 1 {
			return fmt.Errorf("agency %s: want exactly one SLUG", sub)
		}
		slug := pos[0]
		a, err := st.AgencyBySlug(ctx, slug)
		if sub == "create" {
			a, err = st.CreateAgency(cliAudit(ctx, "create-agency"), slug, *name)
		}
		if err != nil {
			return err
		}
		key, err := st.CreateKey(cliAudit(ctx, "issue-agency-key"), a.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "agency: %s\napi key: %s\n", a.Slug, key)
		fmt.Fprintln(stdout, "Keep the key now: anken stores only its hash and cannot show it again.")
		return nil
	case "list":
		all, err := st.Agencies(ctx)
		if err != nil {
			return err
		}
		for _, a := range all {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", a.Slug, a.Name, a.CreatedAt.Format("2006-01-02"))
		}
		return nil
	default:
		return fmt.Errorf("agency: unknown subcommand %q: want create, key or list", sub)
	}
}
