Feature: Roll the website out in batches, a canary first, tolerating one bad host per batch
  # One host first, then half of the fleet at a time: every step of the scenario runs for the canary,
  # then for the next batch, so at most one batch is out of the load balancer (docs/steps.md#batches).
  Background:
    Given the load balancer has ip address 192.168.1.1
    And I want to update hosts with class roles::dev_server
    And I want to update hosts with fact country=de
    And I want to pre-discover how many hosts to update
    And I update hosts in batches of 1 and 50%
    And I allow at most 1 failed host per batch
    And I retry checks every 5 seconds
  Scenario: Update the website
    When I block the load balancer
    Then traffic from the load balancer should be blocked
    When I update the package mywebapp
    And I restart the service mywebapp
    Then within 2 minutes the nrpe check check_mywebapp should pass
    And the package version for mywebapp should be 4.2.6-3.el5
    When I unblock the load balancer
    Then within 30 seconds traffic from the load balancer should be unblocked
