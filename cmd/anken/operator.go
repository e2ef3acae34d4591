package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"anken/internal/config"
)

// operatorCmd manages operators, the people who edit guides and job-type
// articles through the API with their key.
func operatorCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("operator: want create NAME, list or revoke NAME")
	}
	sub, args := args[0], args[1:]
	if err := newFlags("operator " + sub).Parse(args); err != nil {
		return err
	}
	name := strings.TrimSpace(strings.Join(args, " "))
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create":
		if name == "" {
			return fmt.Errorf("operator create: want NAME")
		}
		o, key, err := st.CreateOperator(cliAudit(ctx, "create-operator"), name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "operator: %s\noperator key: %s\n", o.Name, key)
		fmt.Fprintln(stdout, "Keep the key now: anken stores only its hash and cannot show it again.")
		fmt.Fprintln(stdout, `Send it as "Authorization: Bearer <key>" to PUT /v1/guides/{slug} and /v1/roles/{role}/article.`)
		return nil
	case "list":
		all, err := st.Operators(ctx)
		if err != nil {
			return err
		}
		for _, o := range all {
			state := "active"
			if !o.RevokedAt.IsZero() {
				state = "revoked " + o.RevokedAt.Format("2006-01-02")
			}
			fmt.Fprintf(stdout, "%s\t%s…\t%s\t%s\n", o.Name, o.Prefix, o.CreatedAt.Format("2006-01-02"), state)
		}
		return nil
	case "revoke":
		if name == "" {
			return fmt.Errorf("operator revoke: want NAME")
		}
		if err := st.RevokeOperator(cliAudit(ctx, "revoke-operator"), name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "operator %s: key revoked; the edits stay in the revisions under this name\n", name)
		return nil
	default:
		return fmt.Errorf("operator: unknown subcommand %q: want create, list or revoke", sub)
	}
}
