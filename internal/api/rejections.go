package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/problem"
	"anken/internal/store"
)

type rejectionsInput struct {
	Run    int64  `query:"run" minimum:"0" doc:"Only this feed run's rejections."`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page."`
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
}

// RejectionsBody is a page of rejections, oldest first.
type RejectionsBody struct {
	Rejections []Rejection `json:"rejections"`
	NextCursor string      `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last."`
}

type rejectionsOutput struct{ Body RejectionsBody }

func (h *handlers) registerRejections(sec []map[string][]string, auth huma.Middlewares) {
	huma.Register(h.api, huma.Operation{
		OperationID: "list-agency-rejections",
		Method:      http.MethodGet,
		Path:        "/v1/agency/rejections",
		Summary:     "List what was not stored, and why",
		Description: "Every listing, webhook event and feed row of yours that was rejected — with its line, " +
			"external_id, field and reason — and every delivery parked after failing repeatedly " +
			"(an operator can replay those).",
		Tags:        []string{"agency"},
		Security:    sec,
		Middlewares: auth,
		Errors:      []int{http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *rejectionsInput) (*rejectionsOutput, error) {
		st := h.Store
		var after int64
		if in.Cursor != "" {
			n, err := strconv.ParseInt(in.Cursor, 10, 64)
			if err != nil || n < 0 {
				return nil, h.fail(ctx, fault(problem.Unprocessable, "cursor is not one this API gave",
					problem.Detail{Location: "query.cursor", Value: in.Cursor, Message: "use next_cursor from the previous page"}))
			}
			after = n
		}
		rs, err := st.Rejections(ctx, agencyFrom(ctx), store.RejectionFilter{After: after, RunID: in.Run, Limit: in.Limit})
		if err != nil {
			return nil, h.storeError(ctx, err, "rejections")
		}
		out := &rejectionsOutput{Body: RejectionsBody{Rejections: make([]Rejection, len(rs))}}
		for i, r := range rs {
			out.Body.Rejections[i] = rejectionOf(r)
		}
		if len(rs) == in.Limit {
			out.Body.NextCursor = strconv.FormatInt(rs[len(rs)-1].ID, 10)
		}
		return out, nil
	})
}
