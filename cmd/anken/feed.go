package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"anken/internal/config"
	"anken/internal/store"
)

// feedCmd confirms held full feed runs.
func feedCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "confirm" {
		return fmt.Errorf("feed: want confirm RUN_ID")
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("feed confirm: %q is not a feed run id", args[1])
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	run, err := st.ConfirmRun(cliAudit(ctx, "confirm-agency-feed-run"), id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("feed confirm: no feed run %d", id)
	}
	if errors.Is(err, store.ErrNotHeld) {
		return fmt.Errorf("feed confirm: feed run %d is not held: there is nothing to confirm", id)
	}
	if err != nil {
		return fmt.Errorf("feed confirm: %w", err)
	}
	fmt.Fprintf(stdout, "feed run %d of %s confirmed: %d listings closed; a running `anken serve` shows it within moments\n",
		run.ID, run.Agency, run.Closed)
	return nil
}
