// Package locale is where hongbao says how its figures are shown: in China Standard
// Time, with digits grouped in threes, in Chinese or English. Everything that shows
// a time, a number or a bilingual text asks it, so each rule is written once.
package locale

import (
	"time"
	_ "time/tzdata" // the zone works on a machine without a tz database
)

// ZoneName is the IANA name of China Standard Time: the zone events are shown in, the
// session time zone of every warehouse connection. Events are stored as UTC instants.
const ZoneName = "Asia/Shanghai"

// Zone is ZoneName as a location. China has kept UTC+8 without daylight saving since
// 1991, so the fixed zone stands in if the name were ever unknown.
var Zone = func() *time.Location {
	if loc, err := time.LoadLocation(ZoneName); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}()
