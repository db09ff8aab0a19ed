//! Prints the datagrams, Names and values of XTC2 files: `cargo run --example xtc2dump FILE...`.

use xtc2::{Names, NamesTable, ShapesData, TypeId, XtcFile};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for path in std::env::args().skip(1) {
        let file = XtcFile::open(&path)?;
        let mut table = NamesTable::new();
        for d in file.dgrams() {
            let d = d?;
            println!(
                "{} @{} {} env={:#010x} size={}",
                d.transition_id(),
                d.offset(),
                d.time(),
                d.env().0,
                d.size()
            );
            table.update(&d).map_err(|e| e.in_file(file.path()))?;
            let mut walk = d.xtc().walk();
            while let Some(x) = walk.next() {
                let x = x.map_err(|e| e.in_file(file.path()))?;
                let indent = "  ".repeat(walk.depth() + 1);
                match x.type_id() {
                    TypeId::Names => print_names(&indent, &Names::decode(&x)?),
                    TypeId::ShapesData => {
                        let sd = ShapesData::decode(&x).map_err(|e| e.in_file(file.path()))?;
                        let Some(names) = table.get(x.names_id()) else {
                            println!("{indent}ShapesData {:#x} without Names", x.src());
                            continue;
                        };
                        println!(
                            "{indent}ShapesData {:#x} {}/{}",
                            x.src(),
                            names.det_name,
                            names.alg.name
                        );
                        for f in sd.desc(names)?.fields() {
                            let f = f?;
                            let value = match (f.data_type(), f.shape().rank()) {
                                (xtc2::DataType::CharStr, _) => format!("{:?}", f.as_str()?),
                                (_, 0) => match f.as_f64() {
                                    Ok(v) => v.to_string(),
                                    Err(e) => e.to_string(),
                                },
                                _ => format!("{} bytes", f.bytes().len()),
                            };
                            println!(
                                "{indent}  {} {:?} = {value}",
                                f.name().name,
                                f.shape().dims()
                            );
                        }
                    }
                    other => println!("{indent}{other:?} src={:#x} extent={}", x.src(), x.extent()),
                }
            }
        }
    }
    Ok(())
}

fn print_names(indent: &str, n: &Names) {
    println!(
        "{indent}Names {:#x} detType={} detName={} detId={} alg={} {} segment={}",
        n.names_id.0, n.det_type, n.det_name, n.det_id, n.alg.name, n.alg.version, n.segment
    );
    for f in &n.fields {
        println!("{indent}  {} {} rank {}", f.name, f.data_type, f.rank);
    }
}
