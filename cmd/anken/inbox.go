package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"anken/internal/config"
)

// inboxCmd lists parked inbox items and replays them.
func inboxCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "parked" && args[0] != "replay") {
		return fmt.Errorf("inbox: want parked [--agency SLUG] or replay [--agency SLUG] [ID…]")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("inbox " + sub)
	slug := fs.String("agency", "", "only this agency's items")
	limit := fs.Int("limit", 100, "most items to list (parked)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var ids []int64
	for _, a := range fs.Args() {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("inbox %s: %q is not an inbox item id", sub, a)
		}
		ids = append(ids, id)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "parked":
		items, err := st.ParkedItems(ctx, *slug, *limit)
		if err != nil {
			return err
		}
		for _, it := range items {
			where := it.Kind
			if it.RunID != 0 {
				where += fmt.Sprintf(" run %d line %d", it.RunID, it.Line)
			}
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\tattempts %d\t%s\n", it.ID, it.Agency.Slug, where,
				it.ReceivedAt.Format("2006-01-02 15:04:05"), it.Attempts, strings.ReplaceAll(it.LastError, "\n", " "))
		}
		if len(items) == 0 {
			fmt.Fprintln(stdout, "no parked items")
		}
		return nil
	default:
		n, err := st.Replay(cliAudit(ctx, "replay-inbox"), *slug, ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d items pending again; a running `anken serve` takes them within moments\n", n)
		return nil
	}
}

// webhookSecretCmd issues an agency's webhook signing secret.
func webhookSecretCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("agency webhook-secret: want exactly one SLUG")
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := st.AgencyBySlug(ctx, args[0])
	if err != nil {
		return err
	}
	secret, err := st.NewWebhookSecret(cliAudit(ctx, "issue-webhook-secret"), a.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "agency: %s\nwebhook secret: %s\n", a.Slug, secret)
	fmt.Fprintf(stdout, "Sign each delivery to POST /v1/webhooks/%s with it (Anken-Signature: t=…,v1=…); any earlier secret no longer works.\n", a.Slug)
	return nil
}
