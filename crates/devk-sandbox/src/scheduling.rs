//! The scheduler, as far as the sandbox needs it: a pod goes to the node it names, or is
//! spread over the nodes; it stays Pending (FailedScheduling) when it asks for more CPU or
//! memory than a node has, or its nodeSelector matches no node. Each pod is judged alone
//! against a node's capacity (the sandbox does not add up what the pods on a node use), so
//! that scaling a scenario never makes pods Pending by accident.

use serde_json::Value;

use super::cluster::Cluster;
use super::podsim::Placement;
use super::quantity::{parse_cpu, parse_memory};
use super::util::fnv64;

/// The labels every simulated node carries.
fn node_labels(node: &str) -> [(&'static str, String); 3] {
    [
        ("kubernetes.io/hostname", node.to_string()),
        ("kubernetes.io/os", "linux".into()),
        ("kubernetes.io/arch", "amd64".into()),
    ]
}

/// What a pod asks for: the larger of its biggest init container and the sum of its
/// containers, per resource (millicores, bytes).
pub fn pod_requests(pod: &Value) -> (u64, u64) {
    let sum = |key: &str, fold_max: bool| -> (u64, u64) {
        let mut cpu = 0u64;
        let mut mem = 0u64;
        for c in pod
            .pointer(&format!("/spec/{key}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let q = |r: &str| {
                c.pointer(&format!("/resources/requests/{r}"))
                    .and_then(Value::as_str)
            };
            let c_cpu = q("cpu").and_then(parse_cpu).unwrap_or(0);
            let c_mem = q("memory").and_then(parse_memory).unwrap_or(0);
            if fold_max {
                cpu = cpu.max(c_cpu);
                mem = mem.max(c_mem);
            } else {
                cpu += c_cpu;
                mem += c_mem;
            }
        }
        (cpu, mem)
    };
    let (ic, im) = sum("initContainers", true);
    let (c, m) = sum("containers", false);
    (ic.max(c), im.max(m))
}

impl Cluster {
    fn alloc_ips(&mut self, node: &str) -> (String, String) {
        self.next_ip += 1;
        let n = self.next_ip;
        let node_idx = self.nodes.iter().position(|x| x == node).unwrap_or(0);
        (
            format!("10.244.{}.{}", n / 250, n % 250 + 2),
            format!("172.18.0.{}", node_idx + 2),
        )
    }

    /// The nodes a pod's nodeSelector admits.
    pub(super) fn eligible_nodes(&self, pod: &Value) -> Vec<String> {
        let selector = pod.pointer("/spec/nodeSelector").and_then(Value::as_object);
        self.nodes
            .iter()
            .filter(|n| {
                selector.is_none_or(|sel| {
                    sel.iter().all(|(k, v)| {
                        node_labels(n)
                            .iter()
                            .any(|(lk, lv)| lk == k && Some(lv.as_str()) == v.as_str())
                    })
                })
            })
            .cloned()
            .collect()
    }

    /// Places pod `obj` on `hint` (a nodeName it asks for) or on a node of its own, or says
    /// why it cannot be placed, in the scheduler's words.
    pub(super) fn place(&mut self, obj: &Value, hint: Option<&str>) -> Placement {
        let total = self.nodes.len().max(1);
        let unschedulable = |why: String, preemption: &str| Placement {
            node: String::new(),
            pod_ip: String::new(),
            host_ip: String::new(),
            unschedulable: Some(format!(
                "0/{total} nodes are available: {why}. preemption: 0/{total} nodes are available: {total} {preemption}."
            )),
        };
        let (cpu, mem) = pod_requests(obj);
        let mut short = Vec::new();
        if cpu > self.node_capacity.0 {
            short.push(format!("{total} Insufficient cpu"));
        }
        if mem > self.node_capacity.1 {
            short.push(format!("{total} Insufficient memory"));
        }
        if !short.is_empty() {
            return unschedulable(
                short.join(", "),
                "No preemption victims found for incoming pod",
            );
        }
        let eligible = self.eligible_nodes(obj);
        if eligible.is_empty() && hint.is_none() {
            return unschedulable(
                format!("{total} node(s) didn't match Pod's node affinity/selector"),
                "Preemption is not helpful for scheduling",
            );
        }
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let node = match hint {
            Some(n) => n.to_string(),
            None => {
                let i = fnv64(&[name]) as usize % eligible.len().max(1);
                eligible
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| "sandbox-node-1".into())
            }
        };
        let (pod_ip, host_ip) = self.alloc_ips(&node);
        Placement {
            node,
            pod_ip,
            host_ip,
            unschedulable: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_add_up_over_containers_and_take_the_largest_init() {
        let pod = json!({"spec": {
            "initContainers": [{"resources": {"requests": {"memory": "1Gi"}}}],
            "containers": [{"resources": {"requests": {"cpu": "250m", "memory": "256Mi"}}},
                           {"resources": {"requests": {"cpu": "500m", "memory": "256Mi"}}}]}});
        assert_eq!(pod_requests(&pod), (750, 1 << 30));
    }
}
