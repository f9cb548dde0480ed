package loadtest

// latencyKeys names where a summary format keeps a row's average, median, minimum and
// maximum latency: JSON keys (string) or CSV columns (int).
type latencyKeys[K any] struct{ avg, median, min, max K }

// setLatencies is the one latency-summary block of the summary readers: it fills
// AvgMs, MedianMs, MinMs and MaxMs from get (a value in ms, whether present, or a
// positioned error). Min and max count only together.
func setLatencies[K any](row *Row, get func(K) (float64, bool, error), k latencyKeys[K]) error {
	var err error
	var hasMin, hasMax bool
	if row.AvgMs, row.HasAvg, err = get(k.avg); err != nil {
		return err
	}
	if row.MedianMs, row.HasMedian, err = get(k.median); err != nil {
		return err
	}
	if row.MinMs, hasMin, err = get(k.min); err != nil {
		return err
	}
	if row.MaxMs, hasMax, err = get(k.max); err != nil {
		return err
	}
	row.HasMinMax = hasMin && hasMax
	return nil
}

// ladderPoint is a percentile and where a summary keeps its value.
type ladderPoint[K any] struct {
	key K
	pct float64
}

// addLadder appends the percentiles that are present to the row's ladder and sorts it.
func addLadder[K any](row *Row, get func(K) (float64, bool, error), points []ladderPoint[K]) error {
	for _, p := range points {
		v, ok, err := get(p.key)
		if err != nil {
			return err
		}
		if ok {
			row.Ladder = append(row.Ladder, Point{Pct: p.pct, Ms: v})
		}
	}
	row.Ladder = sortLadder(row.Ladder)
	return nil
}
