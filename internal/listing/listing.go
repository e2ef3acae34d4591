// Package listing defines the listing (案件) as anken stores, indexes and serves
// it, the raw form agencies send, and the rules a listing must obey.
package listing

import (
	"time"
)

// Listing is one job offered by one agency (エージェント), normalized.
type Listing struct {
	ID            int64      `json:"id"`
	Agency        string     `json:"agency"` // agency slug
	ExternalID    string     `json:"external_id"`
	Title         string     `json:"title"`
	Description   string     `json:"description"`
	Role          Role       `json:"role"`   // 職種
	Skills        []string   `json:"skills"` // canonical skill slugs
	Rate          Rate       `json:"rate"`   // 単価
	Remote        Remote     `json:"remote,omitempty"`
	DaysPerWeek   Range      `json:"days_per_week"`           // 稼働日数
	HoursPerMonth Range      `json:"hours_per_month"`         // 精算幅, e.g. 140〜180h
	Workload      Workload   `json:"workload"`                // full or part, from days and hours (pay.go)
	Prefecture    string     `json:"prefecture,omitempty"`    // ISO 3166-2:JP, e.g. JP-13
	Location      string     `json:"location,omitempty"`      // free text, e.g. 東京都渋谷区
	Contract      Contract   `json:"contract,omitempty"`      // 契約形態
	SideJobOK     bool       `json:"side_job_ok"`             // 副業OK
	Start         string     `json:"start,omitempty"`         // "immediate" or YYYY-MM-DD
	Status        Status     `json:"status"`                  // open or closed; hidden by an operator
	PostedAt      time.Time  `json:"posted_at"`               // when the agency published it
	UpdatedAt     time.Time  `json:"updated_at"`              // last change stored by anken
	FirstSeenAt   time.Time  `json:"first_seen_at"`           // when anken first stored it (新着: posted_within)
	ValidThrough  *time.Time `json:"valid_through,omitempty"` // closes by itself after this
	ApplyURL      string     `json:"apply_url,omitempty"`
	// GroupID names the group of duplicates this listing belongs to: the
	// same job offered by several agencies. It is the id of the group's
	// first listing; a listing without duplicates has its own id (or 0
	// before grouping has run). Search shows a group as one result.
	GroupID int64 `json:"group_id,omitempty"`
	// Experience is the years of experience the listing requires (経験年数),
	// read from its text: 「Go経験2年以上」 is {go, 2}, 「実務経験3年以上」
	// is {"", 3}. Empty when it names none.
	Experience []Experience `json:"experience,omitempty"`
}

// Experience is one requirement of years of experience (経験年数): in a
// skill when Skill is set (「Go経験2年以上」), else of work in general
// (「実務経験3年以上」, 「エンジニア経験5年以上」).
type Experience struct {
	Skill string `json:"skill,omitempty"` // canonical skill slug; "" for experience in general
	Years int    `json:"years"`           // at least this many years, MinExperienceYears–MaxExperienceYears
}

// Rate is the pay (単価) of a listing: the quote, Min and Max in Unit, as
// the agency stated it, and what follows from it at the listing's stated
// workload (PayOf): MonthlyMin and MonthlyMax, the pay for a month at that
// workload (月額, the canonical unit), and HourlyMin and HourlyMax, the
// pay per hour (時給). Zero means "not stated".
type Rate struct {
	Unit       RateUnit `json:"unit,omitempty"`
	Min        int64    `json:"min,omitempty"`
	Max        int64    `json:"max,omitempty"`
	MonthlyMin int64    `json:"monthly_min,omitempty"`
	MonthlyMax int64    `json:"monthly_max,omitempty"`
	HourlyMin  int64    `json:"hourly_min,omitempty"`
	HourlyMax  int64    `json:"hourly_max,omitempty"`
	Negotiable bool     `json:"negotiable"` // スキル見合い, 応相談
}

// Known reports whether the rate states any amount.
func (r Rate) Known() bool { return r.MonthlyMin > 0 || r.MonthlyMax > 0 }

// Range is an inclusive integer range; zero means "not stated".
type Range struct {
	Min int `json:"min,omitempty"`
	Max int `json:"max,omitempty"`
}

// Known reports whether the range states anything.
func (r Range) Known() bool { return r.Min > 0 || r.Max > 0 }

// RateUnit is the unit an agency quoted a rate in.
type RateUnit string

const (
	PerMonth RateUnit = "month" // 月額
	PerHour  RateUnit = "hour"  // 時給
	PerDay   RateUnit = "day"   // 日額
	PerYear  RateUnit = "year"  // 年収
)

// RateUnits lists every valid unit.
var RateUnits = []RateUnit{PerMonth, PerHour, PerDay, PerYear}

// Role is the kind of work (職種).
type Role string

const (
	RoleBackend   Role = "backend"
	RoleFrontend  Role = "frontend"
	RoleFullstack Role = "fullstack"
	RoleInfra     Role = "infra"
	RoleSRE       Role = "sre"
	RoleData      Role = "data"
	RoleML        Role = "ml"
	RoleMobile    Role = "mobile"
	RolePM        Role = "pm"
	RoleQA        Role = "qa"
	RoleSecurity  Role = "security"
	RoleDesign    Role = "design"
	RoleOther     Role = "other"
)

// Roles lists every valid role in display order.
var Roles = []Role{RoleBackend, RoleFrontend, RoleFullstack, RoleInfra, RoleSRE, RoleData,
	RoleML, RoleMobile, RolePM, RoleQA, RoleSecurity, RoleDesign, RoleOther}

// Remote is the work style.
type Remote string

const (
	RemoteFull    Remote = "full"    // フルリモート
	RemotePartial Remote = "partial" // 一部リモート
	RemoteOnsite  Remote = "onsite"  // 常駐
)

// Remotes lists every valid work style.
var Remotes = []Remote{RemoteFull, RemotePartial, RemoteOnsite}

// Contract is the contract type (契約形態).
type Contract string

const (
	ContractQuasiMandate Contract = "quasi_mandate" // 準委任
	ContractWork         Contract = "work_contract" // 請負
	ContractOutsourcing  Contract = "outsourcing"   // 業務委託 (type unspecified)
	ContractDispatch     Contract = "dispatch"      // 派遣
)

// Contracts lists every valid contract type.
var Contracts = []Contract{ContractQuasiMandate, ContractWork, ContractOutsourcing, ContractDispatch}

// Status says whether a listing can still be applied to.
type Status string

const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
	// StatusHidden is an operator's: the listing is out of search and its
	// page answers 404, whatever its agency writes, until an operator
	// restores it. Agencies cannot send it.
	StatusHidden Status = "hidden"
)

// StartImmediate is the Start value for 即日.
const StartImmediate = "immediate"
