//! The `timing` detector: written with the run writer and read back, hostile timing Names, and
//! the packed decoder over arbitrary bytes.

use proptest::prelude::*;
use xtc2::run::{Item, Run};
use xtc2::timing::{EventCodes, RunTiming, TIMING_DATA_SIZE, TimingData, TimingError};
use xtc2::write::{DetectorSetup, RunWriter, Value, Writer};
use xtc2::{Alg, DataType, Env, Error, Names, NamesId, TimeStamp, TransitionId, XtcFile};

fn t(n: u32) -> TimeStamp {
    TimeStamp::new(1_100_000_000 + n / 10, (n % 10) * 100_000_000)
}

/// The timing of shot `e`: code 40 always, 162 every 3rd shot (beam off), else 140.
fn shot(e: u32) -> TimingData {
    let mut codes = EventCodes::new();
    codes.insert(40);
    codes.insert(if e % 3 == 2 { 162 } else { 140 });
    TimingData {
        pulse_id: 1000 + u64::from(e),
        time_stamp: t(e).as_u64(),
        ebeam_present: u8::from(e % 3 != 2),
        ebeam_destn: (e % 5) as u8,
        ebeam_energy: [1, 2, 3, u16::try_from(e).unwrap()],
        event_codes: codes,
        ..TimingData::default()
    }
}

fn write_run(events: u32, timed: impl Fn(u32) -> bool) -> Vec<u8> {
    let mut setup = DetectorSetup::jungfrau("jungfrau", &["p0", "p1"]);
    (setup.rows, setup.cols) = (2, 3);
    let mut w = RunWriter::new(Vec::new(), setup).unwrap().with_timing();
    w.configure(t(0), 0).unwrap();
    w.begin_run(t(1), "xpptut15", 3).unwrap();
    w.begin_step(t(2), 0).unwrap();
    let frame = [1u16, 2, 3, 4, 5, 6];
    for e in 0..events {
        if timed(e) {
            w.event_timed(t(10 + e), &[&frame, &frame], &shot(e))
                .unwrap();
        } else {
            w.event(t(10 + e), &[&frame, &frame]).unwrap();
        }
    }
    w.transition(t(100), TransitionId::EndRun).unwrap();
    w.into_inner().unwrap()
}

#[test]
fn timing_written_with_the_run_is_read_back_event_by_event() {
    let bytes = write_run(7, |_| true);
    let run = Run::from_files(vec![XtcFile::from_bytes("r.xtc2", bytes)]).unwrap();
    // The timing Names has no `raw` field: it is not an area detector of the run.
    assert_eq!(run.detectors().len(), 1);
    let timing = RunTiming::read(&run).unwrap();
    assert_eq!(timing.alias.as_deref(), Some("timing"));
    assert_eq!(timing.events.len(), 7);
    for e in 0..7 {
        assert_eq!(timing.get(t(10 + e)), Some(&shot(e)), "event {e}");
    }
    // Every detector event has its timing, found by time stamp.
    let det = run.detector("jungfrau").unwrap();
    let mut items = det.items().unwrap();
    let mut n = 0;
    while let Some(item) = items.next_item() {
        if let Item::Event(ev) = item.unwrap() {
            let codes = &timing.get(ev.time()).unwrap().event_codes;
            assert_eq!(codes.contains(162), n % 3 == 2);
            n += 1;
        }
    }
    assert_eq!(n, 7);
    let counts = timing.code_counts();
    assert_eq!(
        counts.into_iter().collect::<Vec<_>>(),
        [(40, 7), (140, 5), (162, 2)]
    );
    let dest = timing.destination_counts();
    assert_eq!(dest.values().sum::<u64>(), 7);
    assert_eq!(dest.get(&(2, false)), Some(&1)); // shot 2: destination 2, beam off
}

#[test]
fn events_without_timing_and_runs_without_a_timing_detector() {
    let bytes = write_run(6, |e| e % 2 == 0);
    let run = Run::from_files(vec![XtcFile::from_bytes("r.xtc2", bytes)]).unwrap();
    let timing = RunTiming::read(&run).unwrap();
    assert!(timing.has_timing());
    assert_eq!(timing.events.keys().count(), 3);
    assert!(timing.get(t(11)).is_none());

    let mut setup = DetectorSetup::jungfrau("jungfrau", &["p0"]);
    (setup.rows, setup.cols) = (1, 2);
    let mut w = RunWriter::new(Vec::new(), setup).unwrap();
    w.configure(t(0), 0).unwrap();
    w.event(t(5), &[&[1, 2]]).unwrap();
    // A writer without a timing detector refuses timing data.
    assert!(matches!(
        w.event_timed(t(6), &[&[1, 2]], &shot(0)),
        Err(Error::Write(_))
    ));
    let run =
        Run::from_files(vec![XtcFile::from_bytes("r.xtc2", w.into_inner().unwrap())]).unwrap();
    let timing = RunTiming::read(&run).unwrap();
    assert!(!timing.has_timing());
    assert!(timing.events.is_empty());
}

/// A run whose timing Names declares `sequenceValues` with the wrong type is refused with a
/// typed error naming the file, the offset and the field.
#[test]
fn a_timing_field_of_the_wrong_type_is_a_typed_error() {
    let id = NamesId::new(3, 10);
    let names = Names::new(id, "ts", "timing", "", Alg::new("raw", 2, 0, 0), 0)
        .with_field("pulseId", DataType::U64, 0)
        .with_field("sequenceValues", DataType::U32, 1);
    let mut w = Writer::new(Vec::new());
    let mut d = w.dgram(t(0), Env::new(TransitionId::Configure, 1), 3);
    d.names(&names).unwrap();
    w.write(d).unwrap();
    let mut d = w.dgram(t(5), Env::new(TransitionId::L1Accept, 1), 3);
    let shape = xtc2::Shape::new(&[18]).unwrap();
    d.shapes_data(
        &names,
        &[
            Value::U64(1),
            Value::Array(shape, xtc2::write::ArrayData::U32(&[0; 18])),
        ],
    )
    .unwrap();
    w.write(d).unwrap();
    let run_bytes = w.into_inner();
    // No raw detector: Run needs none to open.
    let run = Run::from_files(vec![XtcFile::from_bytes("bad.xtc2", run_bytes)]).unwrap();
    let err = RunTiming::read(&run).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Timing { .. }), "{msg}");
    assert!(msg.starts_with("bad.xtc2: byte "), "{msg}");
    assert!(
        msg.contains("timeStamp") || msg.contains("sequenceValues"),
        "{msg}"
    );

    let good = TimingData::names(id, "timing");
    assert!(TimingData::is_timing_names(&good));
    assert_eq!(good.fields.len(), 15);
}

#[test]
fn short_packed_data_is_refused() {
    assert_eq!(
        TimingData::from_bytes(&[0; 10]),
        Err(TimingError::Short { got: 10 })
    );
}

proptest! {
    #[test]
    fn packed_decoder_never_panics_and_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        match TimingData::from_bytes(&bytes) {
            Ok(t) => prop_assert_eq!(&t.to_bytes()[..], &bytes[..TIMING_DATA_SIZE]),
            Err(e) => prop_assert!(bytes.len() < TIMING_DATA_SIZE, "{e}"),
        }
    }

    #[test]
    fn event_codes_set_are_the_codes_read(codes in proptest::collection::btree_set(0u16..288, 0..20)) {
        let mut c = EventCodes::new();
        for &k in &codes {
            prop_assert!(c.insert(k));
        }
        prop_assert_eq!(c.iter().collect::<Vec<_>>(), codes.into_iter().collect::<Vec<_>>());
    }
}
