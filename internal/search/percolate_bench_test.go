package search_test

import (
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"anken/internal/bench"
	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/skill"
)

// envInt reads a positive size from the environment, or returns def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// savedSearches draws n saved searches shaped like what engineers save:
// most have a skill or two (the popular ones most often), a role, remote
// (full, or full or partial), a minimum rate and a keyword (a 1–4
// character Japanese term, an ASCII word or both), sometimes a
// prefecture, side job or days a week; a quarter have filters only.
func savedSearches(n int, seed uint64) []search.Query {
	r := rand.New(rand.NewPCG(seed, 0xa1e7))
	var (
		ja = []string{"東京", "港区", "渋谷", "新宿", "品川", "大阪", "福岡", "名古屋", "横浜", "札幌",
			"リモート", "在宅", "決済", "金融", "医療", "広告", "物流", "教育", "不動産", "人材", "ゲーム",
			"EC", "SaaS", "AI", "LLM", "機械学習", "データ", "基盤", "新規", "保守", "運用", "設計",
			"移行", "刷新", "自社", "受託", "副業", "週2", "週3", "即日", "長期", "アプリ", "スマホ",
			"管理画面", "マイクロ", "テスト", "リーダー", "港", "京", "証券", "保険", "銀行", "官公庁",
			"製造", "小売", "旅行", "SNS", "動画", "音楽", "地図", "IoT", "車載", "組込", "電力", "通信"}
		en = []string{"go", "golang", "python", "java", "javascript", "js", "typescript", "ts", "react",
			"vue", "next.js", "aws", "gcp", "azure", "kubernetes", "k8s", "docker", "terraform", "c#",
			"c++", "ruby", "rails", "php", "laravel", "swift", "kotlin", "flutter", "rust", "scala",
			"mysql", "postgresql", "graphql", "grpc", "django", "spring", "sre", "devops", "api"}
		popular = []string{"go", "python", "java", "typescript", "javascript", "react", "aws",
			"kubernetes", "php", "ruby", "csharp", "swift", "kotlin", "terraform", "docker", "vue",
			"nodejs", "gcp", "rust", "scala", "flutter", "mysql", "postgresql", "laravel", "rails",
			"django", "spring", "nextjs", "azure", "cpp", "c", "unity", "salesforce", "sap"}
		roles = []listing.Role{listing.RoleBackend, listing.RoleBackend, listing.RoleBackend,
			listing.RoleFrontend, listing.RoleFrontend, listing.RoleFullstack, listing.RoleInfra,
			listing.RoleSRE, listing.RoleData, listing.RoleML, listing.RoleMobile, listing.RolePM, listing.RoleQA}
	)
	popular = slices.DeleteFunc(popular, func(s string) bool { _, ok := skill.BySlug(s); return !ok })
	// Zipf-like: the first skills are picked far more often.
	skillOf := func() string { return popular[min(r.IntN(len(popular)), r.IntN(len(popular)))] }
	out := make([]search.Query, n)
	for i := range out {
		q := &out[i]
		if r.IntN(4) > 0 { // a quarter have filters only
			switch r.IntN(10) {
			case 0, 1, 2, 3: // a Japanese term, 1–4 characters
				q.Text = ja[r.IntN(len(ja))]
			case 4, 5, 6, 7, 8:
				q.Text = en[r.IntN(len(en))]
			default:
				q.Text = ja[r.IntN(len(ja))] + " " + en[r.IntN(len(en))]
			}
			if r.IntN(20) == 0 {
				q.Text += " -常駐"
			}
		}
		switch r.IntN(10) {
		case 0:
		case 1, 2, 3:
			if a, b := skillOf(), skillOf(); a != b {
				q.Skills = []string{a, b}
			} else {
				q.Skills = []string{a}
			}
		default:
			q.Skills = []string{skillOf()}
		}
		if r.IntN(20) < 17 {
			q.Roles = []listing.Role{roles[r.IntN(len(roles))]}
		}
		switch r.IntN(10) {
		case 0, 1, 2, 3, 4:
			q.Remotes = []listing.Remote{listing.RemoteFull}
		case 5, 6:
			q.Remotes = []listing.Remote{listing.RemoteFull, listing.RemotePartial}
		}
		if r.IntN(10) < 7 {
			q.RateMin = int64(50+5*r.IntN(11)) * 10_000
		}
		if r.IntN(10) == 0 {
			q.Prefectures = []string{[]string{"JP-13", "JP-13", "JP-14", "JP-27", "JP-40"}[r.IntN(5)]}
		}
		if r.IntN(20) == 0 {
			yes := true
			q.SideJob = &yes
		}
		if r.IntN(20) == 0 {
			q.DaysMax = 3
		}
	}
	return out
}

// BenchmarkPercolate matches new listings against 1,000,000 saved searches
// (ANKEN_BENCH_SEARCHES), one listing at a time, over 100,000 generated
// listings (ANKEN_BENCH_NEW_LISTINGS). Each iteration matches every
// listing once; it reports the per-listing p50, p99 and max latency, the
// seconds for all of them, the saved searches matched per listing, the
// time to add the searches and the heap they take.
//
//	go test ./internal/search -run '^$' -bench BenchmarkPercolate -benchtime 1x -timeout 30m
func BenchmarkPercolate(b *testing.B) {
	ns := envInt("ANKEN_BENCH_SEARCHES", 1_000_000)
	nl := envInt("ANKEN_BENCH_NEW_LISTINGS", 100_000)
	ls := bench.Generate(nl, 7)
	qs := savedSearches(ns, 1)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	p := search.NewPercolator()
	for i, q := range qs {
		p.Add(int64(i+1), q)
	}
	addTime := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(qs)
	qs = nil

	ds := make([]time.Duration, 0, len(ls))
	matched := 0
	b.ResetTimer()
	for b.Loop() {
		ds = ds[:0]
		matched = 0
		for _, l := range ls {
			t := time.Now()
			matched += len(p.Match(l))
			ds = append(ds, time.Since(t))
		}
	}
	b.StopTimer()
	slices.Sort(ds)
	at := func(q float64) float64 { return float64(ds[min(len(ds)-1, int(q*float64(len(ds))))].Microseconds()) }
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
	b.ReportMetric(float64(ds[len(ds)-1].Microseconds()), "max-µs")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/all-listings")
	b.ReportMetric(float64(matched)/float64(len(ls)), "matches/listing")
	b.ReportMetric(addTime.Seconds(), "add-all-s")
	b.ReportMetric(float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc))/(1<<20), "heap-MB")
	runtime.KeepAlive(p)
}
