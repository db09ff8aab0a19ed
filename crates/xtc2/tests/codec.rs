//! Writer and reader are symmetric: every data type, both child orders, empty Shapes, datagrams
//! at unaligned offsets, and arbitrary field sets (proptest).

use proptest::prelude::*;
use xtc2::write::{ArrayData, ShapesDataOptions, Value, Writer};
use xtc2::{
    Alg, DataType, Dgrams, Env, Names, NamesId, NamesTable, Shape, ShapesData, TimeStamp,
    TransitionId, TypeId, XtcFile,
};

fn names_with(fields: &[(&str, DataType, u32)]) -> Names {
    let mut n = Names::new(
        NamesId::new(3, 7),
        "tst",
        "tst_det",
        "serial1234",
        Alg::new("raw", 2, 0, 1),
        4,
    );
    for &(name, dt, rank) in fields {
        n = n.with_field(name, dt, rank);
    }
    n
}

/// Writes Configure (the Names) and one L1Accept with `values`, then reads the values back.
fn write_and_read(
    names: &Names,
    values: &[Value<'_>],
    options: ShapesDataOptions,
    lead: usize,
) -> Vec<u8> {
    let mut w = Writer::new(vec![0xAB; lead]);
    w.write_raw(&[]).unwrap();
    let mut d = w.dgram(
        TimeStamp::new(1, 2),
        Env::new(TransitionId::Configure, 1),
        0,
    );
    d.names(names).unwrap();
    w.write(d).unwrap();
    let mut d = w.dgram(TimeStamp::new(1, 3), Env::new(TransitionId::L1Accept, 1), 0);
    d.shapes_data_with(names, values, options).unwrap();
    w.write(d).unwrap();
    w.into_inner()
}

#[test]
fn every_data_type_round_trips_as_scalar_and_array() {
    let names = names_with(&[
        ("u8", DataType::U8, 0),
        ("u16", DataType::U16, 0),
        ("u32", DataType::U32, 0),
        ("u64", DataType::U64, 0),
        ("i8", DataType::I8, 0),
        ("i16", DataType::I16, 0),
        ("i32", DataType::I32, 0),
        ("i64", DataType::I64, 0),
        ("f32", DataType::F32, 0),
        ("f64", DataType::F64, 0),
        ("s", DataType::CharStr, 1),
        ("mode:modeEnum", DataType::EnumVal, 0),
        ("FAST:modeEnum", DataType::EnumDict, 0),
        ("a16", DataType::U16, 2),
        ("ai64", DataType::I64, 1),
        ("af32", DataType::F32, 3),
        ("empty", DataType::U32, 1),
    ]);
    let a16 = [1u16, 2, 3, 0xffff, 5, 6];
    let ai64 = [i64::MIN, -1, 0, i64::MAX];
    let af32 = [0.5f32, -1.25];
    let values = [
        Value::U8(0xfe),
        Value::U16(0xbeef),
        Value::U32(0xdead_beef),
        Value::U64(u64::MAX - 1),
        Value::I8(-5),
        Value::I16(-300),
        Value::I32(-70000),
        Value::I64(-(1 << 40)),
        Value::F32(1.5),
        Value::F64(-2.25e-7),
        Value::Str("hello, xtc"),
        Value::EnumVal(3),
        Value::EnumDict(9),
        Value::Array(Shape::new(&[2, 3]).unwrap(), ArrayData::U16(&a16)),
        Value::Array(Shape::new(&[4]).unwrap(), ArrayData::I64(&ai64)),
        Value::Array(Shape::new(&[1, 2, 1]).unwrap(), ArrayData::F32(&af32)),
        Value::Array(Shape::new(&[0]).unwrap(), ArrayData::U32(&[])),
    ];
    for data_first in [false, true] {
        // 3 leading bytes put both datagrams at offsets that are not multiples of 4.
        let bytes = write_and_read(
            &names,
            &values,
            ShapesDataOptions {
                data_first,
                ..Default::default()
            },
            3,
        );
        let file = XtcFile::from_bytes("t.xtc2", bytes);
        let mut dgrams = Dgrams::new(&file.bytes()[3..], 3);
        let mut table = NamesTable::new();
        let configure = dgrams.next().unwrap().unwrap();
        assert_eq!(configure.offset(), 3);
        table.update(&configure).unwrap();
        assert_eq!(table.get(names.names_id).unwrap().as_ref(), &names);
        let event = dgrams.next().unwrap().unwrap();
        assert_eq!(event.offset() % 4, 3);
        let x = event.xtc().children().next().unwrap().unwrap();
        let sd = ShapesData::decode(&x).unwrap();
        assert_eq!(sd.data_first(), data_first);
        let desc = sd.desc(&names).unwrap();
        let f = |name: &str| desc.field(name).unwrap().unwrap();
        assert_eq!(f("u8").scalar::<u8>().unwrap(), 0xfe);
        assert_eq!(f("u16").scalar::<u16>().unwrap(), 0xbeef);
        assert_eq!(f("u32").scalar::<u32>().unwrap(), 0xdead_beef);
        assert_eq!(f("u64").scalar::<u64>().unwrap(), u64::MAX - 1);
        assert_eq!(f("u64").as_u64().unwrap(), u64::MAX - 1);
        assert!(f("u64").as_i64().is_err());
        assert_eq!(f("i8").as_i64().unwrap(), -5);
        assert_eq!(f("i16").scalar::<i16>().unwrap(), -300);
        assert_eq!(f("i32").scalar::<i32>().unwrap(), -70000);
        assert_eq!(f("i64").as_i64().unwrap(), -(1 << 40));
        assert_eq!(f("f32").as_f64().unwrap(), 1.5);
        assert_eq!(f("f64").scalar::<f64>().unwrap(), -2.25e-7);
        assert_eq!(f("s").as_str().unwrap(), "hello, xtc");
        assert_eq!(f("s").shape().dims(), &[12]);
        assert_eq!(f("mode").as_i64().unwrap(), 3);
        assert_eq!(f("mode").name().enum_type(), Some("modeEnum"));
        assert_eq!(f("FAST:modeEnum").scalar::<i32>().unwrap(), 9);
        assert_eq!(f("a16").array::<u16>().unwrap().to_vec(), a16);
        assert_eq!(f("a16").shape().dims(), &[2, 3]);
        assert_eq!(f("ai64").array::<i64>().unwrap().to_vec(), ai64);
        assert_eq!(f("af32").array::<f32>().unwrap().to_vec(), af32);
        assert!(f("empty").array::<u32>().unwrap().is_empty());
        // Typed accessors refuse the wrong type, naming the field.
        let e = f("a16").array::<u32>().unwrap_err().to_string();
        assert!(
            e.contains("field `a16` is UINT16, expected an array of u32"),
            "{e}"
        );
        assert!(f("u16").scalar::<u32>().is_err());
        assert!(f("s").as_f64().is_err());
        assert!(f("u8").as_str().is_err());
        assert!(desc.field("nope").unwrap().is_none());
    }
}

#[test]
fn names_without_arrays_have_empty_shapes() {
    let names = names_with(&[("user.gainMode:gainModeEnum", DataType::EnumVal, 0)]);
    let bytes = write_and_read(
        &names,
        &[Value::EnumVal(2)],
        ShapesDataOptions::default(),
        0,
    );
    let file = XtcFile::from_bytes("t.xtc2", bytes);
    let event = file.dgrams().nth(1).unwrap().unwrap();
    let x = event.xtc().children().next().unwrap().unwrap();
    let kids: Vec<(TypeId, u32)> = x
        .children()
        .map(|c| c.unwrap())
        .map(|c| (c.type_id(), c.extent()))
        .collect();
    // As in the real jungfrau sample's BeginStep: Shapes of extent 12, Data of 16.
    assert_eq!(kids, [(TypeId::Shapes, 12), (TypeId::Data, 16)]);
    assert_eq!(x.extent(), 40);
    let sd = ShapesData::decode(&x).unwrap();
    assert_eq!(
        sd.desc(&names)
            .unwrap()
            .field("user.gainMode")
            .unwrap()
            .unwrap()
            .as_i64()
            .unwrap(),
        2
    );
}

#[test]
fn writer_checks_values_against_names() {
    let names = names_with(&[("a", DataType::U16, 2), ("b", DataType::F64, 0)]);
    let data = [1u16, 2, 3, 4];
    let mut w = Writer::new(Vec::new());
    let mut d = w.dgram(TimeStamp::new(0, 0), Env::new(TransitionId::L1Accept, 1), 0);
    let cases: [(&[Value<'_>], &str); 5] = [
        (&[Value::F64(1.0)], "has 2 fields but 1 values were given"),
        (
            &[Value::u16_array(&[2, 2], &data), Value::U64(1)],
            "field `b`: a scalar Some(U64) for a DOUBLE field",
        ),
        (
            &[Value::u16_array(&[4], &data), Value::F64(1.0)],
            "shape [4] has rank 1, the Names says 2",
        ),
        (
            &[Value::u16_array(&[3, 2], &data), Value::F64(1.0)],
            "needs 6 UINT16 elements, 4 given",
        ),
        (
            &[
                Value::Array(Shape::new(&[2, 2]).unwrap(), ArrayData::I16(&[1, 2, 3, 4])),
                Value::F64(1.0),
            ],
            "array elements do not match UINT16",
        ),
    ];
    for (values, msg) in cases {
        let e = d.shapes_data(&names, values).unwrap_err().to_string();
        assert!(e.contains(msg), "{e}");
    }
    d.shapes_data(&names, &[Value::u16_array(&[2, 2], &data), Value::F64(1.0)])
        .unwrap();
    w.write(d).unwrap();
    let long = "x".repeat(256);
    let bad = Names::new(
        NamesId(1),
        long.as_str(),
        "d",
        "i",
        Alg::new("raw", 0, 0, 0),
        0,
    );
    let mut d = w.dgram(
        TimeStamp::new(0, 0),
        Env::new(TransitionId::Configure, 1),
        0,
    );
    assert!(d.names(&bad).unwrap_err().to_string().contains("detType"));
    d.begin_parent(5);
    assert!(w.write(d).is_err(), "an open nested Parent is refused");
}

#[test]
fn nested_parents_are_walked() {
    let names = names_with(&[("v", DataType::U32, 0)]);
    let mut w = Writer::new(Vec::new());
    let mut d = w.dgram(
        TimeStamp::new(0, 0),
        Env::new(TransitionId::Configure, 1),
        0,
    );
    d.begin_parent(1);
    d.begin_parent(2);
    d.names(&names).unwrap();
    d.end_parent().unwrap();
    d.end_parent().unwrap();
    assert!(d.end_parent().is_err());
    w.write(d).unwrap();
    let mut d = w.dgram(TimeStamp::new(0, 1), Env::new(TransitionId::L1Accept, 1), 0);
    d.begin_parent(1);
    d.shapes_data(&names, &[Value::U32(77)]).unwrap();
    d.end_parent().unwrap();
    w.write(d).unwrap();
    let file = XtcFile::from_bytes("t.xtc2", w.into_inner());
    let sum = xtc2::validate(&file).unwrap();
    assert_eq!((sum.names, sum.shapes_data, sum.fields), (1, 1, 1));
}

fn any_field() -> impl Strategy<Value = (DataType, Vec<u32>, Vec<u8>)> {
    let dt = prop::sample::select(DataType::ALL.to_vec())
        .prop_filter("no strings", |d| *d != DataType::CharStr);
    (dt, prop::collection::vec(0u32..4, 0..=3)).prop_flat_map(|(dt, dims)| {
        let n: u32 = dims.iter().product();
        let len = n as usize * dt.size();
        (
            Just(dt),
            Just(dims),
            prop::collection::vec(any::<u8>(), len),
        )
    })
}

proptest! {
    #[test]
    fn arbitrary_fields_round_trip(
        fields in prop::collection::vec(any_field(), 0..8),
        text in "[a-z ]{0,20}",
        lead in 0usize..4,
        data_first in any::<bool>(),
    ) {
        let mut spec: Vec<(String, DataType, u32)> = fields
            .iter()
            .enumerate()
            .map(|(i, (dt, dims, _))| (format!("f{i}"), *dt, dims.len() as u32))
            .collect();
        spec.push(("text".into(), DataType::CharStr, 1));
        let refs: Vec<(&str, DataType, u32)> = spec.iter().map(|(n, d, r)| (n.as_str(), *d, *r)).collect();
        let names = names_with(&refs);
        let mut values: Vec<Value<'_>> = fields
            .iter()
            .map(|(_, dims, bytes)| {
                let shape = if dims.is_empty() { Shape::scalar() } else { Shape::new(dims).unwrap() };
                Value::Raw(shape, bytes)
            })
            .collect();
        values.push(Value::Str(&text));
        let bytes = write_and_read(&names, &values, ShapesDataOptions { data_first, ..Default::default() }, lead);
        let mut dgrams = Dgrams::new(&bytes[lead..], lead as u64);
        let mut table = NamesTable::new();
        table.update(&dgrams.next().unwrap().unwrap()).unwrap();
        let event = dgrams.next().unwrap().unwrap();
        prop_assert!(dgrams.next().is_none());
        let x = event.xtc().children().next().unwrap().unwrap();
        let desc = ShapesData::decode(&x).unwrap().desc(table.get(names.names_id).unwrap()).unwrap();
        let got: Vec<_> = desc.fields().map(|f| f.unwrap()).collect();
        prop_assert_eq!(got.len(), fields.len() + 1);
        for (f, (_, dims, bytes)) in got.iter().zip(&fields) {
            let shape = f.shape();
            prop_assert_eq!(shape.dims(), &dims[..]);
            prop_assert_eq!(f.bytes(), &bytes[..]);
        }
        prop_assert_eq!(got[fields.len()].as_str().unwrap(), text.as_str());
    }
}
