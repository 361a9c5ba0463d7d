#!/usr/bin/env python3
"""Writes a kubeconfig with N contexts (each with its own cluster and user), like a large
organisation's merged config. Usage: gen-kubeconfig.py N OUT"""
import sys

n, out = int(sys.argv[1]), sys.argv[2]
ca = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" * 30  # ~1 KB of base64 per cluster, as real CAs
with open(out, "w") as f:
    f.write("apiVersion: v1\nkind: Config\npreferences: {}\ncurrent-context: ctx-0000\nclusters:\n")
    for i in range(n):
        f.write(f"- cluster:\n    certificate-authority-data: {ca}\n    server: https://cluster-{i:04}.example.com:6443\n  name: cluster-{i:04}\n")
    f.write("contexts:\n")
    for i in range(n):
        f.write(f"- context:\n    cluster: cluster-{i:04}\n    namespace: team-{i % 17}\n    user: user-{i:04}\n  name: ctx-{i:04}\n")
    f.write("users:\n")
    for i in range(n):
        f.write(f"- name: user-{i:04}\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n      args: [eks, get-token, --cluster-name, c{i}]\n")
