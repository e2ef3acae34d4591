package market

import (
	"anken/internal/listing"
	"strings"
	"testing"

	"anken/internal/problem"
)

func TestEstimate(t *testing.T) {
	for _, c := range []struct {
		name    string
		in      EstimateInput
		want    Estimate // Formula: a part it must hold
		formula string
	}{
		// DESIGN.md's backend guide: entry and mid tiers at 1–2 h a day.
		{"guide entry tier", EstimateInput{HourlyMin: 2000, HourlyMax: 3500, HoursMin: 1, HoursMax: 2},
			Estimate{MonthlyMin: 44_000, MonthlyMax: 154_000, AnnualMin: 528_000, AnnualMax: 1_848_000},
			"時給2,000〜3,500円 × 1日1〜2時間 × 22日 = 月額44,000〜154,000円、× 12 = 年額528,000〜1,848,000円"},
		{"guide mid tier", EstimateInput{HourlyMin: 4000, HourlyMax: 8000, HoursMin: 1, HoursMax: 2, Days: 22},
			Estimate{MonthlyMin: 88_000, MonthlyMax: 352_000, AnnualMin: 1_056_000, AnnualMax: 4_224_000},
			"= 月額88,000〜352,000円"},
		{"one rate", EstimateInput{Hourly: 3000, HoursPerDay: 2},
			Estimate{Hourly: 3000, Monthly: 132_000, Annual: 1_584_000}, "時給3,000円 × 1日2時間 × 22日 = 月額132,000円、× 12 = 年額1,584,000円"},
		{"half hours and days", EstimateInput{Hourly: 2500, HoursPerDay: 1.5, Days: 10},
			Estimate{Hourly: 2500, Monthly: 37_500, Annual: 450_000}, "× 1日1.5時間 × 10日"},
		{"a rate range at fixed hours", EstimateInput{HourlyMin: 2000, HourlyMax: 3000, HoursPerDay: 3},
			Estimate{MonthlyMin: 132_000, MonthlyMax: 198_000, AnnualMin: 1_584_000, AnnualMax: 2_376_000}, "時給2,000〜3,000円 × 1日3時間"},
		{"rounded down", EstimateInput{Hourly: 1001, HoursPerDay: 0.1, Days: 1},
			Estimate{Hourly: 1001, Monthly: 100, Annual: 1200}, "= 月額100円"},
		{"monthly to annual", EstimateInput{Monthly: 650_000},
			Estimate{Monthly: 650_000, Annual: 7_800_000}, "月額650,000円 × 12 = 年額7,800,000円"},
		{"annual to monthly", EstimateInput{Annual: 8_400_001},
			Estimate{Monthly: 700_000, Annual: 8_400_001}, "年額8,400,001円 ÷ 12 = 月額700,000円（円未満は切り捨て）"},
		// 600,000 ÷ (3 × 8 × 4 = 96 h) = 6,250: the rule of a listing's
		// hourly pay (DESIGN.md "Pay"), so a listing quoting 月額60万円・週3日
		// shows the same 時給6,250円 as the estimate.
		{"monthly at 週3日", EstimateInput{Monthly: 600_000, DaysPerWeek: 3},
			Estimate{Hourly: 6250, Monthly: 600_000, Annual: 7_200_000}, "月額600,000円 ÷（週3日 × 8時間 × 4週）= 時給6,250円"},
		// 700,000 ÷ 96 h = 7,291.6 → 7,291 (52 ÷ 12 weeks gave 6,730).
		{"monthly at 週3日, 700,000", EstimateInput{Monthly: 700_000, DaysPerWeek: 3},
			Estimate{Hourly: 7291, Monthly: 700_000, Annual: 8_400_000}, "= 時給7,291円"},
		// 800,000 ÷ (5 × 8 × 4 = 160 h) = 5,000
		{"monthly at 週5日", EstimateInput{Monthly: 800_000, DaysPerWeek: 5},
			Estimate{Hourly: 5000, Monthly: 800_000, Annual: 9_600_000}, "1日8時間、1か月を4週として計算"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := EstimateOf(c.in)
			if err != nil {
				t.Fatal(err)
			}
			formula := got.Formula
			got.Formula = ""
			if got != c.want {
				t.Errorf("EstimateOf(%+v) = %+v, want %+v", c.in, got, c.want)
			}
			if !strings.Contains(formula, c.formula) {
				t.Errorf("formula %q does not hold %q", formula, c.formula)
			}
		})
	}
}

func TestEstimateInvalid(t *testing.T) {
	for _, c := range []struct {
		in    EstimateInput
		field string
	}{
		{EstimateInput{}, "query.hourly"},
		{EstimateInput{Hourly: 2000}, "query.hours_per_day"},
		{EstimateInput{HoursPerDay: 2}, "query.hourly"},
		{EstimateInput{HourlyMin: 2000, HoursPerDay: 2}, "query.hourly_max"},
		{EstimateInput{HourlyMax: 2000, HoursPerDay: 2}, "query.hourly_min"},
		{EstimateInput{HourlyMin: 3000, HourlyMax: 2000, HoursPerDay: 2}, "query.hourly_min"},
		{EstimateInput{Hourly: 2000, HourlyMin: 1000, HourlyMax: 3000, HoursPerDay: 2}, "query.hourly"},
		{EstimateInput{Hourly: 2000, HoursMin: 2}, "query.hours_max"},
		{EstimateInput{Hourly: 2000, HoursMin: 3, HoursMax: 2}, "query.hours_min"},
		{EstimateInput{Hourly: 2000, HoursPerDay: 1.25}, "query.hours_per_day"},
		{EstimateInput{Hourly: 2000, HoursPerDay: 25}, "query.hours_per_day"},
		{EstimateInput{Hourly: 2000, HoursPerDay: 0.04}, "query.hours_per_day"},
		{EstimateInput{Hourly: 2000, HoursPerDay: 2, Days: 32}, "query.days"},
		{EstimateInput{Hourly: 200_000, HoursPerDay: 2}, "query.hourly"},
		{EstimateInput{Hourly: -1, HoursPerDay: 2}, "query.hourly"},
		{EstimateInput{Hourly: 2000, HoursPerDay: 2, Monthly: 500_000}, "query.monthly"},
		{EstimateInput{Hourly: 2000, HoursPerDay: 2, DaysPerWeek: 3}, "query.days_per_week"},
		{EstimateInput{Monthly: 500_000, Annual: 6_000_000}, "query.annual"},
		{EstimateInput{Monthly: 500_000, Days: 20}, "query.days"},
		{EstimateInput{Monthly: 6_000_000}, "query.monthly"},
		{EstimateInput{Annual: 70_000_000}, "query.annual"},
		{EstimateInput{DaysPerWeek: 3}, "query.days_per_week"},
		{EstimateInput{Monthly: 500_000, DaysPerWeek: 8}, "query.days_per_week"},
	} {
		_, err := EstimateOf(c.in)
		var pe *problem.Error
		if !asProblem(err, &pe) || pe.Kind != problem.Unprocessable || len(pe.Details) != 1 || pe.Details[0].Location != c.field {
			t.Errorf("EstimateOf(%+v) = %v; want Unprocessable at %s", c.in, err, c.field)
		}
	}
}

func asProblem(err error, pe **problem.Error) bool {
	p, ok := err.(*problem.Error)
	*pe = p
	return ok
}

// TestEstimateAgreesWithListingPay: the hourly rate the estimate gives for
// a monthly rate at 週N日 is the one a listing quoting it shows.
func TestEstimateAgreesWithListingPay(t *testing.T) {
	for days := 1; days <= 7; days++ {
		for _, monthly := range []int64{100_000, 333_333, 650_000, 1_200_000} {
			got, err := EstimateOf(EstimateInput{Monthly: monthly, DaysPerWeek: days})
			if err != nil {
				t.Fatal(err)
			}
			l := listing.Listing{Rate: listing.Rate{Unit: listing.PerMonth, Min: monthly, Max: monthly},
				DaysPerWeek: listing.Range{Min: days, Max: days}}
			l.DerivePay()
			if got.Hourly != l.Rate.HourlyMin {
				t.Errorf("月額%d 週%d日: estimate %d an hour, the listing %d", monthly, days, got.Hourly, l.Rate.HourlyMin)
			}
		}
	}
}
