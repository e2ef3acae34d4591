package demo

import "anken/internal/listing"

// Structured forms of the optional raw fields.
type (
	rateData struct {
		Unit       listing.RateUnit `json:"unit,omitempty"`
		Min        int64            `json:"min,omitempty"`
		Max        int64            `json:"max,omitempty"`
		Negotiable bool             `json:"negotiable,omitempty"`
	}
	rangeData struct {
		Min int `json:"min,omitempty"`
		Max int `json:"max,omitempty"`
	}
)

// How an optional field is sent.
const (
	absent = iota
	asText
	asData
)

// mode draws how agency a sends one optional field.
func (g *gen) mode(a *agency) int {
	switch x := g.r.Float64(); {
	case x < a.text:
		return asText
	case x < a.text+a.data:
		return asData
	}
	return absent
}

// fields sets the optional fields of raw the way agency a sends them. A
// field left absent is still stated in the description.
func (g *gen) fields(a *agency, j *job, raw *listing.Raw) {
	switch g.mode(a) {
	case asText:
		raw.Rate = listing.TextValue(j.rateTx)
	case asData:
		raw.Rate = data(rateData{Unit: j.rate.unit, Min: j.rate.min, Max: j.rate.max, Negotiable: j.rate.nego})
	}
	switch g.mode(a) {
	case asText:
		raw.Remote = listing.TextValue(j.remoteTx)
	case asData:
		raw.Remote = listing.TextValue(string(j.remote))
	}
	switch g.mode(a) {
	case asText:
		raw.Days = listing.TextValue(j.daysTx)
	case asData:
		raw.Days = data(rangeData{Min: j.days.Min, Max: j.days.Max})
	}
	if j.hours.Known() {
		switch g.mode(a) {
		case asText:
			raw.Hours = listing.TextValue(hoursText(j.hours))
		case asData:
			raw.Hours = data(rangeData{Min: j.hours.Min, Max: j.hours.Max})
		}
	}
	if j.pref != "" && g.mode(a) != absent {
		raw.Location = listing.TextValue(j.location(one(g, []int{0, 0, 0, 1, 1, 2, 3, 4})))
	}
	if len(j.skills) > 0 {
		switch g.mode(a) {
		case asText:
			raw.Skills = listing.TextValue(g.skillList(j.skills, one(g, []string{", ", "／", "、", " / "})))
		case asData:
			raw.Skills = data(j.skills)
		}
	}
	switch g.mode(a) {
	case asText:
		raw.Role = listing.TextValue(one(g, j.role.names))
	case asData:
		raw.Role = listing.TextValue(string(j.role.role))
	}
	if j.contract != "" {
		switch g.mode(a) {
		case asText:
			raw.Contract = listing.TextValue(j.contrTx)
		case asData:
			raw.Contract = listing.TextValue(string(j.contract))
		}
	}
	switch g.mode(a) {
	case asText:
		raw.Start = listing.TextValue(j.startTx)
	case asData:
		if j.start != "" {
			raw.Start = listing.TextValue(j.start)
		}
	}
	switch g.mode(a) {
	case asText:
		if j.side {
			raw.SideJob = listing.TextValue(one(g, sideJobText))
		}
	case asData:
		raw.SideJob = data(j.side)
	}
}

// data encodes a structured field; the values here always encode.
func data(v any) listing.Value {
	val, err := listing.JSONValue(v)
	if err != nil {
		panic("demo: " + err.Error())
	}
	return val
}
