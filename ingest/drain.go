package ingest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hongbao/hongbao/ingest/kafkasec"
)

// watchDrain decides when a draining ingester (UntilIdle) is done: once no message
// came for UntilIdle, it asks the brokers for each partition's high watermark and
// stops the run when the lake (with what this ingester has read and will commit)
// reaches all of them. Until then the topic is stalled: the ingester says why once
// and waits, and gives up with ErrNotDrained when the partitions it lacks are held
// by other members that land them elsewhere, or when nothing moves for StallTimeout.
func (in *ingester) watchDrain(ctx context.Context, stop func(), adm *admin) {
	cfg := in.cfg
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	var (
		lastCheck    time.Time
		lastProgress       = time.Now()
		lastHave     int64 = -1
		lastSaid     string
		heldSince    time.Time // since when the lagging partitions are all other members'
	)
	// A member that died still holds its partitions until its session times out and
	// the group rebalances; only after that is a partition held elsewhere truly so.
	heldGrace := max(cfg.UntilIdle, 3*sessionTimeout+rebalanceTimeout)
	say := func(format string, args ...any) {
		if msg := fmt.Sprintf(format, args...); msg != lastSaid {
			cfg.Log("%s", msg)
			lastSaid = msg
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(time.Unix(0, in.lastActivity.Load())) < cfg.UntilIdle || time.Since(lastCheck) < time.Second {
			continue
		}
		lastCheck = time.Now()
		st, err := adm.state(ctx, 5*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if perr := kafkasec.Diagnose(ctx, err, cfg.Brokers, cfg.Security); perr != nil {
				in.fail(perr)
				stop()
				return
			}
			say("waiting for the brokers to answer (%v); the topic is not drained yet", err)
			if time.Since(lastProgress) >= cfg.StallTimeout {
				in.fail(fmt.Errorf("%w: the brokers did not answer for %s (%v); every message read is in the lake, and a rerun goes on from there", ErrNotDrained, cfg.StallTimeout, err))
				stop()
				return
			}
			continue
		}
		if err := in.checkTopic(st); err != nil {
			in.fail(err)
			stop()
			return
		}
		lagging, err := in.lagging(st, true)
		if err != nil {
			in.fail(err)
			stop()
			return
		}
		if len(lagging) == 0 {
			in.drainTarget.Store(st)
			stop()
			return
		}
		var have int64
		for _, l := range lagging {
			have += l.Have
		}
		if have != lastHave {
			lastHave, lastProgress = have, time.Now()
		}
		why, elsewhere := in.whoHolds(ctx, adm, lagging)
		say("waiting: %s (%s)", describeLagging(lagging), why)
		if !elsewhere {
			heldSince = time.Time{}
		} else if heldSince.IsZero() {
			heldSince = time.Now()
		}
		switch {
		case elsewhere && time.Since(heldSince) >= heldGrace && time.Since(lastProgress) >= heldGrace:
			in.fail(fmt.Errorf("%w: the lake in %s lacks %s: %s, which lands them somewhere else. Give every member of group %s the same --dir, or use another --group",
				ErrNotDrained, cfg.Dir, describeLagging(lagging), why, cfg.Group))
			stop()
			return
		case time.Since(lastProgress) >= cfg.StallTimeout:
			in.fail(fmt.Errorf("%w: nothing moved for %s: %s (%s); every message read is in the lake, and a rerun goes on from there",
				ErrNotDrained, cfg.StallTimeout, describeLagging(lagging), why))
			stop()
			return
		}
	}
}

// whoHolds says who holds the lagging partitions, and whether every one of them is
// held by another member of the group (whose commits this lake has not seen).
func (in *ingester) whoHolds(ctx context.Context, adm *admin, lagging []lagStatus) (string, bool) {
	state, members, err := adm.members(ctx, 5*time.Second)
	if err != nil {
		return fmt.Sprintf("the group cannot be described: %v", err), false
	}
	if state != "Stable" {
		return fmt.Sprintf("group %s is %s", in.cfg.Group, strings.ToLower(state)), false
	}
	mine := in.readPositions()
	holder := map[int]string{}
	for _, m := range members {
		for _, p := range m.Partitions {
			holder[p] = fmt.Sprintf("%s at %s", m.Client, strings.TrimPrefix(m.Host, "/"))
		}
	}
	var reasons []string
	elsewhere := true
	for _, l := range lagging {
		switch h, held := holder[l.Partition]; {
		case isMine(mine, l.Partition):
			reasons = append(reasons, fmt.Sprintf("this ingester reads partition %d", l.Partition))
			elsewhere = false
		case held:
			reasons = append(reasons, fmt.Sprintf("partition %d is held by another member of group %s (%s)", l.Partition, in.cfg.Group, h))
		default:
			reasons = append(reasons, fmt.Sprintf("no member holds partition %d yet", l.Partition))
			elsewhere = false
		}
	}
	return strings.Join(reasons, "; "), elsewhere
}

func isMine(mine map[int]int64, p int) bool {
	_, ok := mine[p]
	return ok
}
