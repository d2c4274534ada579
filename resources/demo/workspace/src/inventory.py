"""Stock levels for the shop's inventory."""


class Inventory:
    def __init__(self):
        self.items = {}

    def add(self, sku, count):
        if count < 0:
            raise ValueError("count must not be negative")
        self.items[sku] = self.items.get(sku, 0) + count

    def remove(self, sku, count):
        have = self.items.get(sku, 0)
        if count > have:
            raise ValueError(f"only {have} of {sku} in stock")
        self.items[sku] = have - count

    def count(self, sku):
        return self.items.get(sku, 0)

    def low_stock(self, threshold):
        return sorted(sku for sku, count in self.items.items() if count < threshold)

    def total(self):
        return sum(self.items.values())
