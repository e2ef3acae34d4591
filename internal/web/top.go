package web

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"anken/internal/listing"
)

// topView is the top page: how many listings there are, a search box,
// roles and skills with their counts, the newest listings.
type topView struct {
	base
	Open      int
	UpdatedAt time.Time
	Roles     []count
	Skills    []count
	Newest    []cardView
	NewToday  int // 今日の新着
	// AsOf is when the counts were computed; Behind: the catalogue has
	// changed since (they are kept for up to catalog.DefaultFiguresMaxAge).
	AsOf     time.Time
	Behind   bool
	Areas    []count   // prefectures with open listings, most first: Value is the romaji slug
	Features []feature // the ways in by theme
}

// count is one value of a facet with its number of listings.
type count struct {
	Value, Name string
	Count       int
}

// topSkills is how many skills the top page lists.
const topSkills = 24

// topAreas is how many prefectures the top page lists.
const topAreas = 12

func (s *Site) top(w http.ResponseWriter, r *http.Request) {
	o, err := s.Catalog.Overview(r.Context(), 8, s.Now())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := topView{base: s.base(r, ""), Open: o.Open, UpdatedAt: o.UpdatedAt, NewToday: o.NewToday, AsOf: o.AsOf, Behind: o.Behind}
	v.Newest = cards(o.Newest, v.base)
	v.Description = "IT フリーランス・副業案件を複数のエージェントから横断検索。" +
		"フルリモート、週3日、副業OK など条件で絞り込み、単価相場もひと目でわかります。"
	v.Canonical = s.absolute("/")
	for _, role := range listing.Roles {
		if n := o.Roles[string(role)]; n > 0 {
			v.Roles = append(v.Roles, count{string(role), roleName(role), n})
		}
	}
	for slug, n := range o.Skills {
		v.Skills = append(v.Skills, count{slug, skillName(slug), n})
	}
	slices.SortFunc(v.Skills, func(a, b count) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value)) })
	v.Skills = v.Skills[:min(len(v.Skills), topSkills)]
	for _, pr := range listing.Prefectures {
		if n := o.Prefectures[pr.Code]; n > 0 {
			v.Areas = append(v.Areas, count{pr.Slug, pr.Name, n})
		}
	}
	slices.SortStableFunc(v.Areas, func(a, b count) int { return cmp.Compare(b.Count, a.Count) })
	v.Areas = v.Areas[:min(len(v.Areas), topAreas)]
	v.Features = features
	s.render(w, r, http.StatusOK, "top", v)
}
