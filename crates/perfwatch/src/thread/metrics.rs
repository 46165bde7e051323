//! Counters and gauges on a thread.

use super::state::{Kind, ThreadState};
use crate::clock;
use crate::record::Record;
use crate::slots::{SlotInfo, SlotKind};

impl ThreadState {
    /// Adds to counter `name` of the innermost open span.
    pub(crate) fn counter(&mut self, name: &'static str, value: f64) {
        let top = self.stack.last().map(|f| (f.id, f.kind));
        if let Some((_, Kind::Individual)) = top {
            let depth = (self.stack.len() - 1) as u32;
            for c in self.counters.iter_mut().rev() {
                if c.0 != depth {
                    break;
                }
                if c.1 == name {
                    c.2 += value;
                    return;
                }
            }
            self.counters.push((depth, name, value));
            return;
        }
        let span = top.map_or(0, |(id, _)| id);
        let key = name.as_ptr() as usize ^ (name.len() << 48);
        let slot = if self.last_counter.0 == span && self.last_counter.1 == key {
            self.last_counter.2
        } else {
            let slot = match self.counter_slots.get(&(span, key)) {
                Some(&slot) => slot,
                None => {
                    let info = SlotInfo {
                        kind: SlotKind::Counter,
                        id: 0,
                        parent: span,
                        site: None,
                        name,
                    };
                    // SAFETY: this thread owns its slots.
                    let Some(slot) = (unsafe { self.shared.slots.add(info, 0) }) else {
                        self.push(Record::Counter { name, value, span });
                        return;
                    };
                    self.counter_slots.insert((span, key), slot);
                    slot
                }
            };
            self.last_counter = (span, key, slot);
            slot
        };
        self.shared.slots.get(slot).add(value);
    }

    /// Records a gauge reading.
    pub(crate) fn gauge(&mut self, name: &'static str, value: f64) {
        let tick = clock::now();
        self.push(Record::Gauge { name, value, tick });
    }
}
