// Package guide holds anken's editorial content: the side-job guides
// (副業ガイド) per category and the job-type articles (職種ページの記事) per
// role.
//
// The content lives in the repository as Markdown files under content/,
// one per guide (content/guides/SLUG.md) and one per role
// (content/roles/ROLE.md), so a reviewer reads and diffs prose, not code.
// A file is a small front matter of "key: value" lines between two "---"
// lines, then sections under "## " headings:
//
//	---
//	# a whole line starting with # is a comment
//	title: バックエンド開発
//	lead: 一文の要約
//	search: role=backend
//	income: 90
//	ease: 40
//	continuity: 90
//	flexibility: 70
//	safety: 65
//	ai: 78
//	tier: entry | 初級 | 2000-3500 | 1-2 | who earns this
//	---
//
//	## どんな仕事か
//	Paragraphs, "- " lists, "1. " lists, **strong** and [links](/search?role=backend).
//
// search (guides only) is the query string of the category's listings, as
// /search takes it; side_job=true is added to it. The five scores are
// 収益性 (income), 始めやすさ (ease), 継続性 (continuity), 時間の柔軟性
// (flexibility) and リスクの低さ (safety); a tier is an id, its name, the
// hourly rate in yen and the hours per day, each as min-max, and a note.
//
// Each kind has a fixed set of sections, every one required (Sections);
// the FAQ section holds "### question" headings, each followed by its
// answer. Parse checks all of it: scores 0–100, tiers in order with sane
// rates and hours, the guide's search a valid listing search, no unknown
// key or heading. The package's tests parse every embedded file, so a
// malformed file fails the build's tests.
//
// Totals and monthly estimates are computed, never written by hand: a
// guide's total is the sum of its five scores, a tier's monthly estimate
// is hourly × hours per day × WorkDays.
//
// At start the embedded files seed the store (Library.Seed): an article
// the store lacks is written from its file, and one the store holds as
// the file last wrote it is brought up to the file's current text. Once
// an operator edits an article (Library.Put…), the store's text wins: a
// later release's file no longer replaces it, and every version, the
// seeded ones included, stays in the article's revisions with who wrote
// it and when.
package guide
